"""What people add to the store: accounts, submissions to the daily feed, upvotes, comments,
collections. Plain functions over a connection; the caller owns the transaction."""
