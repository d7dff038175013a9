"""Report values: what a report contains (typed tables and the records behind
them), never how it looks.  No formatting and no rich, typer or tabulate here;
:mod:`okrctl.render` turns these values into text."""
