def pytest_addoption(parser):
    parser.addoption(
        "--authz-regen",
        action="store_true",
        default=False,
        help="tests/security: rewrite tests/security/authz_matrix.txt from this run (review the diff)",
    )
