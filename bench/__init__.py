"""The load benchmark: virtual phones, a projector and a dashboard against a real server."""
