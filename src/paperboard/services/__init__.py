"""The library's per-domain services, under :class:`paperboard.Paperboard`: each owns its domain's
verbs and their transactions, so that the front ends (web, CLI, MCP) and the worker call one verb instead
of reaching into the store. Accounts, digests and media so far; the rest of the face moves here in turn."""
