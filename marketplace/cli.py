"""Command-line tools: `flask demo-data`, `flask mail send-pending`, `flask users ...`."""

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from marketplace.extensions import db

mail_cli = AppGroup("mail", help="The email outbox.")
backup_cli = AppGroup("backup", help="Back up and restore the database and uploaded files.")
users_cli = AppGroup("users", help="User accounts.")
directory_cli = AppGroup("directory", help="The supplier directory's derived data.")
payments_cli = AppGroup("payments", help="Payments through Stripe.")


@directory_cli.command("refresh")
@click.option("--commune", "communes", multiple=True, help="Only the suppliers of this commune (INSEE code).")
def directory_refresh(communes):
    """Derive again where each supplier's activities reach and its search document
    (after the reference geography changed, for instance)."""
    from sqlalchemy import select

    from marketplace.suppliers.models import Supplier
    from marketplace.suppliers.reach import refresh_reach, refresh_search_document

    statement = select(Supplier.id).order_by(Supplier.id)
    if communes:
        statement = statement.where(Supplier.commune_code.in_(communes))
    ids = list(db.session.scalars(statement))
    with click.progressbar(ids, label="Structures") as bar:
        for number, supplier_id in enumerate(bar, start=1):
            supplier = db.session.get(Supplier, supplier_id)
            refresh_reach(supplier)
            refresh_search_document(supplier)
            if number % 500 == 0:
                db.session.commit()
                db.session.expunge_all()
    db.session.commit()
    click.echo(f"{len(ids)} structures refreshed.")


@mail_cli.command("send-pending")
@click.option("--limit", type=int, default=None, help="At most this many messages.")
def send_pending(limit):
    """Deliver every queued email now, including those waiting for a retry."""
    from marketplace.outbox.services import deliver_pending, outbox_backlog

    counts = deliver_pending(limit=limit, ignore_backoff=True)
    click.echo(f"{counts['sent']} sent, {counts['failed']} failed, {outbox_backlog()} still queued.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--first-name", default="Admin")
@click.option("--last-name", default="Plateforme")
def create_admin(email, password, first_name, last_name):
    """Create (or promote) a platform administrator."""
    from marketplace.accounts.services import create_admin as create

    user = create(email, password, first_name, last_name)
    db.session.commit()
    click.echo(f"Administrator ready: {user.email}")


@click.command("demo-data")
@with_appcontext
@click.option("--size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Scale: this many inclusive suppliers and a tenth as many buyer organisations "
                   "(200000 for a national directory).")
@click.option("--suppliers", type=click.IntRange(min=0), default=None, help="Override the number of suppliers.")
@click.option("--organisations", type=click.IntRange(min=1), default=None,
              help="Override the number of buyer organisations.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has users.")
def demo_data(size, suppliers, organisations, if_empty):
    """Fill the database with realistic French demo data (idempotent)."""
    from marketplace import demo

    if if_empty and not demo.database_is_empty():
        click.echo("The database already has data: demo data not loaded.")
        return
    suppliers = size if suppliers is None else suppliers
    organisations = organisations or max(size // 10, 50)
    created = demo.load_demo_data(organisations, suppliers)
    click.echo(f"Demo data ready ({created['organisations']} new buyer organisations, "
               f"{created['suppliers']} new suppliers).")
    click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
    for label, email, _password in demo.demo_logins():
        click.echo(f"  {label:<36} {email}")


@backup_cli.command("create")
@click.option("--to", "parent", type=click.Path(file_okay=False), default=None,
              help="Folder receiving the backup (default: instance/backups).")
def backup_create(parent):
    """Back up the database and the uploaded files into a new folder."""
    from pathlib import Path

    from flask import current_app

    from marketplace.backups.services import create_backup

    folder = create_backup(Path(parent) if parent else Path(current_app.instance_path) / "backups")
    click.echo(f"Backup written to {folder}")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def backup_restore(folder, yes):
    """Replace the database and the uploaded files by those of a backup folder."""
    from marketplace.backups.services import restore_backup
    from marketplace.errors import DomainError

    if not yes:
        click.confirm("This replaces the current database and uploaded files. Continue?", abort=True)
    try:
        manifest = restore_backup(folder)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Restored the backup of {manifest['created_at']} ({sum(manifest['rows'].values())} rows).")


@payments_cli.command("sync")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True,
              help="How many of the latest PaymentIntents to read.")
def payments_sync(limit):
    """Re-read recent PaymentIntents from Stripe and repair orders whose webhook was missed."""
    from marketplace.extensions import db
    from marketplace.payments.gateway import payments_enabled
    from marketplace.payments.sync import sync_recent

    if not payments_enabled():
        raise click.ClickException("Payments are off: set STRIPE_SECRET_KEY.")
    repaired = sync_recent(limit)
    db.session.commit()
    for line in repaired:
        click.echo(f"Réparé : {line}")
    click.echo(f"{len(repaired)} order(s) repaired.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(mail_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(directory_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data)
