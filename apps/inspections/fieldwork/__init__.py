"""The inspection fieldwork: tasks (drawn, key, flying, follow-up), results on a phone, photos, rectification,
publication (一公开) with the objection window — services (one module per aggregate), selectors, views, forms,
urls, api and the printable record (records.py)."""
