"""Pythia 8 reference for the SM cross section of q q̄ → Z H (``HiggsSM:ffbar2HZ``).

Used only to cross-check the built-in generator (spec §8.1). Pythia is set up with the
spec's MW-scheme LO inputs (§1.4). Three inputs lie outside Pythia's allowed ranges
(α_EM(M_Z), sin²θ_W, sin²θ_W-bar) and are set with ``Settings::forceParm``.

What Pythia's ``sigmaGen`` contains (SigmaHiggs.cc, PhaseSpace.cc, ResonanceWidths.cc):

* σ̂ ∝ α_EM² (v_q² + a_q²)(tû − m_H² m_Z² + 2ŝ m_Z²) / (ŝ² [(ŝ − M_Z²)² + M_Z²Γ_Z²]), with a
  fixed width in the s-channel propagator. ``alphaEMorder = -1`` fixes α_EM at ``alphaEMmZ``.
  ffbar2HZ has ``isSChannel() = true``, so μ_F² = ŝ comes from ``factorScale1 = 1``.
* × ``resOpenFrac(25, 23)`` = BR_open(H) · BR_open(Z). These are ratios of Pythia's OWN
  partial widths at the nominal mass: Z widths with (1 + α_s/π) QCD factors, H widths with
  running quark masses. They are not the spec's 3.3632 %/flavour and 0.5809.
* With Breit–Wigners on, m_Z is drawn from a running-width BW, (1/π)(sΓ/M)/((s−M²)² + (sΓ/M)²),
  restricted to [mMin, mMax] and not renormalised to that window. There is no option for a
  fixed-width final-state BW. σ̂ uses the actual m_Z in the numerator above; relative to the exact
  Z* → ℓℓ chain of the spec, this is a factor m_Z²/M_Z² (about −0.1 % in 66–116 GeV, +0.45 % with
  no window). ``mll_window_GeV=None`` switches the BWs off: on-shell (NWA) Z and H as in §8.1.
* ``23:doForceWidth`` (only honoured with ``WeakZ0:gmZmode = 2``) keeps Γ_Z = 2.4952 GeV.
  Without it Pythia would replace Γ_Z by its own sum of partial widths. The Higgs width
  (≈ 4 MeV) is below ``PhaseSpace:minWidthNarrowBW = 0.01``, so m_H = M_H exactly.
* Pythia's LHAGrid1 reader returns max(xf, 0). NNPDF31_lo has x·s(x) < 0 at large x, so Pythia
  is +0.24 % above a quadrature that keeps negative PDFs. NNPDF23_lo is unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PythiaXsec", "make_pythia", "pythia_settings", "pythia_zh_cross_section"]

MB_TO_PB = 1.0e9

# Spec §1.4, MW scheme: s_w^2 = 1 - M_W^2/M_Z^2, alpha = sqrt(2) G_F M_W^2 s_w^2 / pi.
_M_Z, _GAMMA_Z, _M_H, _M_W = 91.1876, 2.4952, 125.09, 80.387
_SW2 = 1.0 - _M_W**2 / _M_Z**2
_ALPHA = 1.0 / 132.24959

_FORCED = {  # outside Pythia's [min, max]: readString rejects them
    "StandardModel:alphaEMmZ": _ALPHA,
    "StandardModel:sin2thetaW": _SW2,
    "StandardModel:sin2thetaWbar": _SW2,
}


@dataclass(frozen=True)
class PythiaXsec:
    """Result of one Pythia run. ``sigma_pb`` is Pythia's sigmaGen (decays included)."""

    sigma_pb: float
    error_pb: float
    settings: tuple[str, ...]
    br_z_open: float  # Pythia's BR(Z -> e+e- + mu+mu-), at the nominal mass
    br_h_open: float  # Pythia's BR(H -> b bbar)
    n_events: int
    n_tried: int

    @property
    def sigma_zh_pb(self) -> float:
        """σ(pp → ZH) with Pythia's decay fractions divided out (Z inside the window)."""
        return self.sigma_pb / (self.br_z_open * self.br_h_open)

    @property
    def error_zh_pb(self) -> float:
        return self.error_pb / (self.br_z_open * self.br_h_open)

    def sigma_llbb_pb(self, br_z: float = 2 * 0.033632, br_h: float = 0.5809) -> float:
        """σ × BR in the spec convention (LO Γ_ll/Γ_Z per flavour, BR(H→bb̄) = 0.5809)."""
        return self.sigma_zh_pb * br_z * br_h


def pythia_settings(
    pdf_pset: int | str,
    seed: int,
    sqrt_s_GeV: float = 13000.0,
    mll_window_GeV: tuple[float, float | None] | None = (66.0, 116.0),
    n_flavours: int = 5,
    z_leptons: tuple[int, ...] = (11, 13),
) -> list[str]:
    """Settings lines (``key = value``) for hard-process-only ffbar2HZ at spec inputs.

    ``mll_window_GeV=None``: on-shell Z and H (no Breit–Wigners). ``(lo, None)``: no upper cut.
    """
    if mll_window_GeV is None:
        bw = "PhaseSpace:useBreitWigners = off"
    else:  # 23:mMax <= 23:mMin means no upper limit
        lo, hi = mll_window_GeV
        bw = f"PhaseSpace:useBreitWigners = on\n23:mMin = {lo}\n23:mMax = {hi or 0.0}"
    forced = "\n".join(f"{k} = {v!r}" for k, v in _FORCED.items())
    leptons = " ".join(str(i) for i in z_leptons)
    text = f"""
        Beams:idA = 2212\nBeams:idB = 2212\nBeams:eCM = {sqrt_s_GeV}\nHiggsSM:ffbar2HZ = on
        PartonLevel:all = off\nHadronLevel:all = off\nProcessLevel:resonanceDecays = on
        PDF:pSet = {pdf_pset}\nPDFinProcess:nQuarkIn = {int(n_flavours)}
        SigmaProcess:factorScale1 = 1\nSigmaProcess:factorScale2 = 4
        SigmaProcess:renormScale1 = 1\nSigmaProcess:renormScale2 = 4
        SigmaProcess:factorMultFac = 1.\nSigmaProcess:Kfactor = 1.
        SigmaProcess:alphaEMorder = -1\n{forced}\nWeakZ0:gmZmode = 2
        23:m0 = {_M_Z}\n23:mWidth = {_GAMMA_Z}\n23:doForceWidth = on
        24:m0 = {_M_W}\n25:m0 = {_M_H}\nPhaseSpace:minWidthNarrowBW = 0.01
        23:onMode = off\n23:onIfAny = {leptons}\n25:onMode = off\n25:onIfMatch = 5 -5\n{bw}
        Random:setSeed = on\nRandom:seed = {int(seed)}
        Print:quiet = on\nInit:showChangedSettings = off\nInit:showProcesses = off
        Init:showChangedParticleData = off\nNext:numberCount = 0\nNext:numberShowInfo = 0
        Next:numberShowProcess = 0\nNext:numberShowEvent = 0"""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def make_pythia(settings: list[str]):
    """Construct and initialise a quiet Pythia from ``settings``; returns the instance."""
    import pythia8mc

    py = pythia8mc.Pythia("", False)  # no banner
    for line in settings:
        key, _, val = (x.strip() for x in line.partition("="))
        if key in _FORCED:
            py.settings.forceParm(key, float(val))
        elif not py.readString(line):
            raise ValueError(f"Pythia rejected setting {line!r}")
    if not py.init():
        raise RuntimeError("Pythia initialisation failed")
    return py


def pythia_zh_cross_section(
    pdf_pset: int | str,
    n_events: int,
    seed: int,
    sqrt_s_GeV: float = 13000.0,
    mll_window_GeV: tuple[float, float | None] | None = (66.0, 116.0),
    n_flavours: int = 5,
) -> PythiaXsec:
    """Generate ``n_events`` hard-process events; return sigmaGen and Pythia's open BRs."""
    settings = pythia_settings(pdf_pset, seed, sqrt_s_GeV, mll_window_GeV, n_flavours)
    py = make_pythia(settings)
    n_ok = sum(1 for _ in range(n_events) if py.next())
    info = py.infoPython()
    pd = py.particleData
    return PythiaXsec(
        sigma_pb=info.sigmaGen() * MB_TO_PB,
        error_pb=info.sigmaErr() * MB_TO_PB,
        settings=tuple(settings),
        br_z_open=pd.resOpenFrac(23),
        br_h_open=pd.resOpenFrac(25),
        n_events=n_ok,
        n_tried=int(info.nTried()),
    )
