"""Every command turns a core error into the same exit code (cli/common.exit_code), in process, on an empty index:
3 nothing to answer from or not found, 2 a usage error."""

from helpers.cli import run_cli


def test_not_found_and_empty_exit_3_in_every_command(tmp_path):
    index = tmp_path / "index"
    for args in (["ask", "How many people wait?"], ["docs", "show", "nope"], ["docs", "remove", "nope"],
                 ["gaps"], ["claims"], ["tokens", "revoke", "999"]):
        done = run_cli("--index", index, *args)
        assert done.returncode == 3, (args, done.stderr)
        assert done.stderr.startswith("Error: "), (args, done.stderr)


def test_usage_errors_exit_2(tmp_path):
    index = tmp_path / "index"
    assert run_cli("--index", index, "ask").returncode == 2  # neither a question nor --batch
    assert run_cli("--index", index, "gaps", "--as-of", "yesterday").returncode == 2
    assert run_cli("--index", index, "ask", "").returncode == 2  # an empty question
