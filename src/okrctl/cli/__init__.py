"""The ``okrctl`` command line (typer).

:mod:`okrctl.cli.main` is the entry point and the one place that maps exceptions to
exit codes; :mod:`okrctl.cli.app` holds the typer application and the options every
command shares; each ``cmd_*`` module parses one group of commands' options, calls
the library and hands the result to :mod:`okrctl.render`.  Only this package and
``render`` import typer and rich.
"""
