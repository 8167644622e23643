"""The website and the JSON API (FastAPI). ``create_app`` builds both over one data folder."""
