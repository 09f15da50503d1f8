from tests.events.fairs.conftest import ask, make_fair, organiser, register, small_fair  # noqa: F401 - shared
from tests.needs.conftest import make_need  # noqa: F401 - the need factory, shared
