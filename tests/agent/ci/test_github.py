from __future__ import annotations

import base64
import hashlib

import pytest

from agent.ci.github import GitHub, GitHubError, repo_slug, token_from_env
from agent.testing.fake_github import FakeGitHub
from perfforge.errors import ConfigError

TOKEN = "ghp_FAKEtoken0123456789abcdefXYZ"


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_the_git_data_chain_makes_a_branch_and_a_pull_request():
    with FakeGitHub(token=TOKEN, repo="octo/lib") as gh:
        client = GitHub("octo/lib", TOKEN, api=gh.url)
        assert client.default_branch() == "main"
        assert client.open_pulls() == []
        blob = client.create_blob(b"def f():\n    return 1\n")
        tree = client.create_tree("a" * 40, {"pkg/mod.py": ("100644", blob)})
        commit = client.create_commit("[perfforge] speed up f", tree, "b" * 40)
        client.create_branch("perfforge/f-12345678", commit)
        pull = client.create_pull("[perfforge] speed up f", "perfforge/f-12345678", "main", "body text")
        assert pull["number"] == 1
        assert gh.branch_files("perfforge/f-12345678") == {"pkg/mod.py": b"def f():\n    return 1\n"}
        trees = gh.calls("POST", r"/git/trees$")
        assert trees[0].body["base_tree"] == "a" * 40
        assert gh.calls("POST", r"/git/commits$")[0].body["parents"] == ["b" * 40]
        assert [p["head"]["ref"] for p in client.open_pulls()] == ["perfforge/f-12345678"]
        for request in gh.requests:
            assert request.headers["authorization"] == f"Bearer {TOKEN}"
            assert request.headers["accept"] == "application/vnd.github+json"
        assert blob == _blob_sha(b"def f():\n    return 1\n")


@pytest.mark.parametrize("fail, status, words", [
    ({}, 401, "rejected the token"),
    ({"POST /git/blobs$": 403}, 403, "contents: write"),
    ({"GET /repos/octo/lib$": 404}, 404, "does not exist"),
])
def test_api_errors_say_what_to_fix_without_the_token(fail, status, words):
    with FakeGitHub(token=TOKEN if status != 401 else "another-token", fail=fail) as gh:
        client = GitHub("octo/lib", TOKEN, api=gh.url)
        with pytest.raises(GitHubError) as info:
            client.default_branch() if status == 404 else client.create_blob(b"x")
    assert info.value.status == status
    text = f"{info.value} {info.value.hint} {info.value!r} {client!r}"
    assert words in text and TOKEN not in text


def test_an_existing_branch_is_a_clear_422():
    with FakeGitHub(token=TOKEN, branches={"main": "0" * 40, "perfforge/f-1": "1" * 40}) as gh:
        client = GitHub("octo/lib", TOKEN, api=gh.url)
        tree = client.create_tree("a" * 40, {"m.py": ("100644", client.create_blob(b"x"))})
        commit = client.create_commit("m", tree, "b" * 40)
        with pytest.raises(GitHubError, match="already exists") as info:
            client.create_branch("perfforge/f-1", commit)
    assert info.value.status == 422 and "earlier run" in info.value.hint


def test_the_token_is_never_sent_in_clear_to_a_remote_host_nor_without_one():
    with pytest.raises(ConfigError, match="plain http"):
        GitHub("octo/lib", TOKEN, api="http://api.example.com")
    with pytest.raises(ConfigError, match="no GitHub token"):
        GitHub("octo/lib", "", api="https://api.github.com")


def test_an_unreachable_api_is_one_clear_error():
    client = GitHub("octo/lib", TOKEN, api="http://127.0.0.1:9", timeout_s=2)
    with pytest.raises(ConfigError, match="cannot reach the GitHub API"):
        client.default_branch()


def test_token_and_repository_from_the_environment(monkeypatch):
    monkeypatch.delenv("PERFFORGE_GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "t1")
    assert token_from_env() == "t1"
    monkeypatch.setenv("PERFFORGE_GITHUB_TOKEN", "t2")
    assert token_from_env() == "t2"
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    assert repo_slug(None, "git@github.com:octo/lib.git") == "octo/lib"
    assert repo_slug(None, "https://x:secret@github.com/octo/lib") == "octo/lib"
    assert repo_slug("a/b", "git@github.com:octo/lib.git") == "a/b"
    monkeypatch.setenv("GITHUB_REPOSITORY", "env/repo")
    assert repo_slug(None, None) == "env/repo"
    monkeypatch.delenv("GITHUB_REPOSITORY")
    with pytest.raises(ConfigError, match="--github-repo"):
        repo_slug(None, "https://gitlab.com/a/b.git")
    with pytest.raises(ConfigError, match="OWNER/NAME"):
        repo_slug("not a slug", None)


def test_blob_content_travels_as_base64():
    with FakeGitHub(token=TOKEN) as gh:
        GitHub("octo/lib", TOKEN, api=gh.url).create_blob("é\n".encode())
        body = gh.calls("POST", "/git/blobs")[0].body
    assert body["encoding"] == "base64" and base64.b64decode(body["content"]) == "é\n".encode()
