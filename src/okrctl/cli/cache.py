"""okrctl cache info|clear, and where the persistent cache of parsed files lives."""

from __future__ import annotations

from okrctl.model.messages import _, ngettext, tr
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from okrctl.cli.app import app, state
from okrctl.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from okrctl.cli.app import State

cache_app = typer.Typer(no_args_is_help=True, help="The cache of parsed files: where it is, how full, clear it.")
app.add_typer(cache_app, name="cache")


def cache_path(root: Path) -> Path:
    """``<git dir>/okrctl/cache.sqlite`` inside a git working tree (like git's own
    caches, never in the working tree and never committed), else
    ``<okrctl cache dir>/cache.sqlite`` (``OKRCTL_CACHE_DIR``, ``$XDG_CACHE_HOME/okrctl``,
    ``~/.cache/okrctl``)."""
    from okrctl.write.fsio import _git_dir, user_cache_dir

    gitdir = _git_dir(Path(os.path.realpath(root)))
    if gitdir is not None:
        return gitdir / "okrctl" / "cache.sqlite"
    return user_cache_dir() / "cache.sqlite"


def _refuse_in_tree(path: Path, root: Path) -> str | None:
    """A cache folder inside the workspace (and not in a git directory) would be
    read by the next okrctl from whatever a checkout put there: refused."""
    real, top = Path(os.path.realpath(path.parent)), Path(os.path.realpath(root))
    if (real == top or top in real.parents) and ".git" not in real.relative_to(top).parts:
        return _("{path} is inside the workspace; the cache is never kept in the working tree").format(path=path.parent)
    return None


def open_store(root: Path):
    """The :class:`okrctl.read.cache.Store` for the workspace at ``root``; raises
    ``CacheUnavailable`` (with the reason) when it cannot be used."""
    from okrctl.read.cache import CacheUnavailable, Store

    path = cache_path(root)
    why = _refuse_in_tree(path, root)
    if why:
        raise CacheUnavailable(why)
    return Store(path)


def record_cache(st: State, root: Path):
    """The loader's cache for this command, or None (``--no-cache``,
    ``OKRCTL_NO_CACHE=1``, or a cache that cannot be used: the command goes on
    without it, ``okrctl cache info`` says why)."""
    from okrctl.read.cache import CacheUnavailable, disabled_by_env

    if st.no_cache or disabled_by_env():
        return None
    try:
        store = open_store(root)
    except CacheUnavailable:
        return None
    from okrctl.read.loader import open_record_cache

    return open_record_cache(store)


def _root(st: State) -> Path:
    from okrctl.cli.workspace import workspace_root

    return workspace_root(st)


@cache_app.command("info")
def info(ctx: typer.Context,
         fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json", help="text or json.")] = "text") -> None:
    """Where the cache is, how many files it holds, its size and the hit rate of the last run.

    Examples:

      okrctl cache info

      okrctl cache info --format json
    """
    from okrctl.read.cache import CacheUnavailable, disabled_by_env

    if fmt not in ("text", "json"):
        raise UsageError(_("--format: {format!r} is not text or json").format(format=fmt))
    st = state(ctx)
    root = _root(st)
    path = cache_path(root)
    try:
        data = open_store(root).info()
        # a Msg: English in JSON, translated in the text below
        data["status"] = (_("off (--no-cache)") if st.no_cache else _("off (OKRCTL_NO_CACHE)") if disabled_by_env()
                          else _("on"))
    except CacheUnavailable as exc:
        data = {"path": str(path), "status": _("unavailable: {reason}").format(reason=exc.message)}
    if fmt == "json":
        from okrctl.render import dumps, envelope

        print(dumps(envelope("cache info", data)), end="")
        raise typer.Exit(EXIT_OK)
    from okrctl.render.values import count

    lines = [_("path:     {path}").format(path=data["path"]), _("status:   {status}").format(status=data["status"])]
    if "entries" in data:
        last = data["last_run"]
        seen = last.get("hits", 0) + last.get("misses", 0)
        rate = (ngettext("{percent}% ({hits} of {n} file)", "{percent}% ({hits} of {n} files)", seen).format(
                    percent=f"{100 * last.get('hits', 0) / seen:.0f}", hits=count(last.get("hits", 0)), n=count(seen))
                if seen else _("no run yet"))
        damaged = (ngettext("{rate}, {n} damaged entry ignored", "{rate}, {n} damaged entries ignored",
                            last["corrupt"]).format(rate=rate, n=last["corrupt"]) if last.get("corrupt") else rate)
        lines += [ngettext("entries:  {n} row", "entries:  {n} rows", data["entries"]).format(n=count(data["entries"])),
                  _("size:     {records:.1f} MB of records, {disk:.1f} MB on disk (limit {limit} MB, OKRCTL_CACHE_MAX_MB)")
                  .format(records=data["bytes"] / 1e6, disk=data["file_bytes"] / 1e6, limit=data["limit_bytes"] >> 20),
                  _("last run: {rate}").format(rate=damaged)]
    print("\n".join(tr(line) for line in lines))
    raise typer.Exit(EXIT_OK)


@cache_app.command("clear")
def clear(ctx: typer.Context) -> None:
    """Remove every entry of the cache (the next run reads every file again).

    Examples:

      okrctl cache clear
    """
    from okrctl.read.cache import CacheUnavailable

    st = state(ctx)
    root = _root(st)
    try:
        n = open_store(root).clear()
    except CacheUnavailable as exc:
        raise UsageError(_("cannot clear the cache: {reason}").format(reason=exc.message)) from None
    print(tr(ngettext("removed {n} entry from {path}", "removed {n} entries from {path}", n).format(path=cache_path(root))))
    raise typer.Exit(EXIT_OK)
