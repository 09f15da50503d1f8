from tests.needs.conftest import make_need  # noqa: F401 - the need factory, shared
