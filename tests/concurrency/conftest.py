from tests.concurrency.threads import room  # noqa: F401 - the fixture every race test uses
