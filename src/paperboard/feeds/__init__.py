"""Feeds: the community's daily papers (submissions ranked by upvotes or trending) and the listing of
every ingested paper by announcement day. One query function per feed serves the pages, the JSON API
and the CLI."""
