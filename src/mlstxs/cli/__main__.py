"""``python -m mlstxs.cli``: the ``mlstxs`` command."""

from . import main

main()
