from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_constant_queries(fetch, add_rows, *, first=2, second=7):
    """fetch() performs the request; add_rows(n) creates n more visible rows. Same query count for 2 rows and 7."""
    add_rows(first)
    fetch()  # warm caches (content types, permissions) so both measured runs see the same state
    with CaptureQueriesContext(connection) as small:
        fetch()
    add_rows(second - first)
    fetch()  # again: adding rows may have changed what is cached (a user given a role clears the permission cache)
    with CaptureQueriesContext(connection) as big:
        fetch()
    if len(small) != len(big):
        sql = "\n".join(q["sql"] for q in big.captured_queries)
        raise AssertionError(f"query count grows with rows: {len(small)} -> {len(big)}\n{sql}")
    return len(big)
