"""E-mail digests: subscribers with double opt-in, personal picks ranked by the site's own search and
similarity code, editions composed from a template triple, and an outbox that sends each subscriber
each edition at most once, however runs are killed or overlap."""
