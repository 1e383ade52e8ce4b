"""The order tests/conftest.py hands work to the two xdist workers, and what stays on one."""

from tests.conftest import longest_modules_first, work_unit


def test_long_work_is_handed_out_first_and_modules_keep_their_order():
    collected = [
        "tests/charts/test_losses.py::test_a",
        "tests/charts/test_losses.py::test_b",
        "tests/deploy/test_install_files.py::test_pins",
        "tests/deploy/test_dockerfile_steps.py::test_install_and_start_steps_in_a_fresh_venv",
        "tests/e2e/test_browser.py::test_page_in_browser[home-ko]",
        "tests/e2e/test_screens.py::test_screens[home-ko]",
        "tests/e2e/test_screens.py::test_screens[home-en]",
        "tests/pages/test_pages.py::test_every_preset[home]",
        "tests/ui/test_gate.py::test_one",
    ]
    assert longest_modules_first(collected) == [
        "tests/deploy/test_dockerfile_steps.py::test_install_and_start_steps_in_a_fresh_venv",
        "tests/e2e/test_screens.py::test_screens[home-ko]",
        "tests/e2e/test_screens.py::test_screens[home-en]",
        "tests/pages/test_pages.py::test_every_preset[home]",
        "tests/e2e/test_browser.py::test_page_in_browser[home-ko]",
        "tests/deploy/test_install_files.py::test_pins",  # unlisted: 10 s a deploy test
        "tests/charts/test_losses.py::test_a",  # unlisted, 0.2 s a test: 0.4 s
        "tests/charts/test_losses.py::test_b",
        "tests/ui/test_gate.py::test_one",  # 0.2 s
    ]


def test_a_module_fixtures_tests_share_one_worker():
    assert work_unit("tests/deploy/test_serve.py::test_healthy_through_the_balancer") == \
        work_unit("tests/deploy/test_serve.py::test_sigterm_leaves_no_process_behind")
    assert work_unit("tests/e2e/test_screens.py::test_screens[home-ko]") != \
        work_unit("tests/e2e/test_screens.py::test_screens[home-en]")
    assert work_unit("tests/core/test_data.py::test_a") != work_unit("tests/core/test_data.py::test_b")
