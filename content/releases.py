"""Release histories (data/frameworks/*.yml and data/tools/*.yml) against the versions that executed the site.

Pure functions: the checks raise `DataError` naming the file, key path and fix; `release_status` says
what executed and whether the data knows a newer release, for the "executed with X / newer: Y" markers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .errors import DataError
from .models import Release

ADD_WITH_MAKE_RELEASES = "add it with its date and official source (`make releases` prints the entry)"


def release_version(text: str) -> Version:
    """A release number as the package index orders it; a local build tag (`2.13.0+cpu`) is not a release."""
    return Version(Version(text).public)


def check_history(display_path: str, releases: list[Release]) -> None:
    """Oldest first, each version once, each a valid release number."""
    seen: dict[Version, int] = {}
    for i, release in enumerate(releases):
        try:
            version = release_version(release.version)
        except InvalidVersion:
            raise DataError(display_path, f"releases[{i}].version", f"'{release.version}' is not a release number",
                            "write it as the package index does, e.g. \"2.13.0\"") from None
        if version in seen:
            raise DataError(display_path, f"releases[{i}].version",
                            f"{release.version} is listed twice (also releases[{seen[version]}])", "remove one")
        seen[version] = i
        if i and release.date < releases[i - 1].date:
            raise DataError(display_path, f"releases[{i}].date",
                            f"{release.date} is earlier than the entry before it ({releases[i - 1].date})",
                            "list releases oldest first")


@dataclass(frozen=True)
class ReleaseStatus:
    """One package: the version that executed the site, and the newest release the data records."""

    name: str
    distribution: str
    executed: str | None  # as the executing environment reported it, e.g. "2.13.0+cpu"; None if not installed
    executed_release: Release | None  # its entry in the history (None when older than the history)
    newest: Release

    @property
    def newer(self) -> Release | None:
        """The newest recorded release when it is newer than what executed: the page is behind it."""
        if self.executed is None or release_version(self.newest.version) > release_version(self.executed):
            return self.newest
        return None


def release_status(name: str, distribution: str, releases: list[Release], executed: str | None) -> ReleaseStatus:
    newest = max(releases, key=lambda r: release_version(r.version))
    match = None
    if executed is not None:
        match = next((r for r in releases if release_version(r.version) == release_version(executed)), None)
    return ReleaseStatus(name, distribution, executed, match, newest)


def check_executed_in_history(display_path: str, releases: list[Release], status: ReleaseStatus) -> None:
    """The executed release is in the history, or older than all of it: never newer than the data knows."""
    if status.executed is None or status.executed_release is not None:
        return
    executed = release_version(status.executed)
    if executed > release_version(status.newest.version):
        raise DataError(display_path, "releases", f"{status.distribution} {executed} executed the site but the "
                        f"newest release recorded is {status.newest.version}", ADD_WITH_MAKE_RELEASES)
    if executed > min(release_version(r.version) for r in releases):
        raise DataError(display_path, "releases", f"{status.distribution} {executed} executed the site but is "
                        "missing from its release history", ADD_WITH_MAKE_RELEASES)


def check_environment_covered(histories: Iterable[tuple[str, str]], reported: Iterable[str]) -> None:
    """Every package the executing environment reports has a release history, and every history a package.

    `histories` are (display path, distribution) pairs from data/frameworks and data/tools.
    """
    histories = list(histories)
    known = {distribution for _, distribution in histories}
    for distribution in sorted(set(reported) - known):
        raise DataError(f"data/tools/{distribution}.yml", "(file)",
                        f"`{distribution}` executed the notebooks and is shown on the versions page but has no "
                        "release history", "create the file with `id`, `purpose` and `releases` "
                        "(`make releases` prints the entries)")
    reported = set(reported)
    for display_path, distribution in histories:
        if distribution not in reported:
            raise DataError(display_path, "id", f"`{distribution}` is not among the packages the executing "
                            "environment reports", "rebuild, so that the notebooks execute with it tracked, "
                            "or remove the file")


def _histories(site) -> list[tuple[str, str, str, list[Release]]]:
    """(display path, name shown, distribution, releases) for every framework, then every tool."""
    return ([(f"data/frameworks/{f.id}.yml", f.name, f.distribution, f.releases) for f in site.frameworks]
            + [(f"data/tools/{t.id}.yml", t.id, t.id, t.releases) for t in site.tools])


def release_statuses(site, distributions: dict[str, str | None]) -> dict[str, ReleaseStatus]:
    """Distribution → its status, frameworks first; `distributions` as the executing environment reported them."""
    return {distribution: release_status(name, distribution, releases, distributions.get(distribution))
            for _, name, distribution, releases in _histories(site)}


def check_against_environment(site, distributions: dict[str, str | None]) -> None:
    """Run once per build, after execution: the data knows every package that executed, at least as new."""
    histories = _histories(site)
    check_environment_covered([(path, distribution) for path, _, distribution, _ in histories], distributions)
    for path, name, distribution, releases in histories:
        status = release_status(name, distribution, releases, distributions.get(distribution))
        check_executed_in_history(path, releases, status)


def check_installs_shown(site, requirements_text: str, display_path: str = "requirements.txt") -> None:
    """Every package the project installs by name has a release history, so the versions page shows it."""
    shown = {canonicalize_name(distribution) for _, _, distribution, _ in _histories(site)}
    for number, line in enumerate(requirements_text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):  # options such as `-r other.txt`
            continue
        name = canonicalize_name(Requirement(line).name)
        if name not in shown:
            raise DataError(display_path, f"line {number}", f"`{name}` is installed by the project but the "
                            "versions page does not show it", f"create data/tools/{name}.yml with `id`, `purpose`, "
                            "`runs_in` and `releases` (`make releases` prints the entries)")
