"""`jejak init`, `serve`, `demo` and `project`: creating the store, serving it, loading the
Kaltara demo into it and running its projections."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from service.cli.base import catch_up, console, progress_bar
from service.notices.loop import NoticeLoop
from service.settings import Settings
from service.store.db import parse_database_url, store_exists
from service.system import Jejak, freeze_startup_heap, where


def _load_demo(jejak: Jejak) -> None:
    from service.demo.kaltara import demo_command_count, demo_loaded, ensure_demo_users, load_demo

    users = ensure_demo_users(jejak.accounts, jejak.app)
    if demo_loaded(jejak.app):
        console.print("The Kaltara demo is already loaded.")
    else:
        with progress_bar() as progress:
            task = progress.add_task("Loading the Kaltara demo", total=demo_command_count())
            report = load_demo(jejak.app, lambda n: progress.advance(task, n))
            progress.update(task, total=report.commands, completed=report.commands)
        console.print(
            f"Loaded {report.sites} sites, {report.beneficiaries} people "
            f"(synthetic), {report.commands} commands."
        )
    catch_up(jejak)
    # Plain lines, never a table: a narrow terminal must not cut a password short.
    console.print("Demo accounts (change these passwords outside a demo):")
    for u in users:
        console.print(
            f"  {u.role.value:<10} {u.username:<18} password: {u.password}",
            soft_wrap=True,
            highlight=False,
        )


def init() -> None:
    """Create an empty store and its master key where the settings point (JEJAK_DATABASE_URL,
    JEJAK_KEY_FILE); every other command except `demo` and `serve --demo` needs one."""
    settings = Settings()
    store = parse_database_url(settings.database_url)
    if store_exists(store):
        Jejak.open(settings).close()  # the key must be there too
        typer.echo(f"A store is already at {where(store)}; nothing changed.")
        return
    Jejak.open(settings, create=True).close()
    typer.echo(f"Created an empty store at {where(store)}.")
    if settings.master_key is None:
        typer.echo(
            f"Its master key is in {settings.key_file.resolve()}: keep a copy apart from the"
            " store; without it, the sealed personal data cannot be read."
        )


def serve(
    demo: Annotated[
        bool, typer.Option(help="Load the Kaltara demo first if it is missing.")
    ] = False,
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Serve the API and the web pages; projections run in-process."""
    import uvicorn

    from service.api.app import create_app

    settings = Settings()
    if demo and settings.view_as_of is None:
        from service.demo.kaltara import DEMO_LAST_BUSINESS_DAY

        # The demo's story ended years ago: judged as at today, all its work is overdue.
        settings.view_as_of = DEMO_LAST_BUSINESS_DAY
    jejak = Jejak.open(settings, create=demo)
    console.print(f"Store: {jejak.store.describe()}")
    if demo:
        _load_demo(jejak)
    catch_up(jejak)
    if settings.view_as_of is not None:
        console.print(f"Pages judge deadlines as at {settings.view_as_of} (JEJAK_VIEW_AS_OF).")
    console.print(f"Serving on http://{host}:{port}  (API docs at /docs)")
    notices = NoticeLoop(jejak)
    if notices.start():
        every = settings.notice_send_every_seconds
        console.print(f"Notices of 72-hour deadlines are queued and sent every {every} s.")
    freeze_startup_heap()
    try:
        uvicorn.run(
            create_app(jejak=jejak),
            host=host,
            port=port,
            log_level="info",
            # The app reads X-Forwarded-For itself, from JEJAK_TRUSTED_PROXIES only.
            proxy_headers=False,
        )
    finally:
        notices.stop()
        jejak.close()


def demo() -> None:
    """Load the Kaltara demo scenario (synthetic people on the real timeline), creating the store
    if there is none."""
    jejak = Jejak.open(create=True)
    try:
        _load_demo(jejak)
    finally:
        jejak.close()


def project(
    once: Annotated[bool, typer.Option(help="Catch up and exit instead of following.")] = False,
) -> None:
    """Run the projections: catch up, then follow new events (LISTEN on PostgreSQL)."""
    from service.store.listen import follow

    jejak = Jejak.open()
    try:
        catch_up(jejak)
        if once:
            return
        console.print(f"Following {jejak.store.describe()}; Ctrl-C to stop.")
        stop = threading.Event()
        try:
            follow(jejak, stop)
        except KeyboardInterrupt:
            stop.set()
    finally:
        jejak.close()
