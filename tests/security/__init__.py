"""Security tests that sweep the whole site: the route × requester scope matrix."""
