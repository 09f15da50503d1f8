"""WSGI entry point: gunicorn wsgi:app, or flask --app wsgi run."""

from marketplace.app import create_app, freeze_startup_heap

app = create_app()
freeze_startup_heap()
