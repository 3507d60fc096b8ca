"""Writing files and folders so that a crash, a ``kill -9`` or a full disk never leaves half of one.

Every file lod writes goes through a temp file beside it, renamed into place; every folder
(a site, a bag, Dask parts) is built in a staging folder beside it and swapped in with one
atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, with the
previous folder restored by the next run if the process died between them).

The temp and staging names carry lod's mark and the writing process's id::

    .NAME.lod-HOST-PID-RANDOM.tmp         a file being written
    .NAME.lod-staging-HOST-PID-RANDOM     a folder being built
    .NAME.lod-previous-HOST-PID           the folder being replaced (only without RENAME_EXCHANGE)
    $TMPDIR/lod-spill-HOST-PID-RANDOM     a streaming export's spilled batches

(HOST: six hex digits of a hash of the machine's name.) A run that is killed leaves such
entries behind; the next run on the same machine that writes ``NAME`` removes those whose
process is gone (:func:`sweep`), and never touches anything else: not a live run's files, not
another machine's (on a shared disk), not a file whose name lod did not make. The one
exception is ``.lod-spill-XXXXXXXX`` folders holding only ``.spill`` files, which lod 0.1 left
beside its outputs.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import errors as E

__all__ = ["write_atomic", "write_all_atomic", "publish_file", "temp_beside", "staging_dir", "replace_dir", "spill_dir",
           "sweep", "usual_mode", "replaceable"]

_MARK = "lod-"
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:6]
"""This machine's tag in debris names: a run on another machine sharing the disk is never judged dead here."""


def _tag() -> str:
    return f"{_HOST}-{os.getpid()}"


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (a zombie counts as gone)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError, OSError):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


_PID_IN_NAME = re.compile(r"lod-(?:staging-|previous-|spill-)?([0-9a-f]{6})-(\d+)(?:-|\.tmp$|$)")
# spill folders of lod before 0.1 kept them beside the output, named by mkdtemp (8 characters)
_LEGACY_SPILL = re.compile(r"\.lod-spill-[a-z0-9_]{8}\Z")


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def sweep(target: str | os.PathLike[str]) -> list[Path]:
    """Remove what killed lod runs left beside ``target``; restore a folder lost between two renames.

    Returns what was removed. Entries of live processes, and anything not named by lod, stay.
    """
    target = Path(target)
    folder = target.parent
    prefix = f".{target.name}."
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix)]
    except OSError:
        return removed
    try:  # spill folders of earlier lod versions, which kept them beside the output
        entries += [e for e in os.scandir(folder) if _LEGACY_SPILL.match(e.name) and e.is_dir(follow_symlinks=False)
                    and all(f.name.endswith(".spill") for f in os.scandir(e.path))]
    except OSError:
        pass
    for entry in sorted(entries, key=lambda e: e.name):
        if _LEGACY_SPILL.match(entry.name):
            _remove(Path(entry.path))
            removed.append(Path(entry.path))
            continue
        rest = entry.name[len(prefix):]
        path = Path(entry.path)
        match = _PID_IN_NAME.match(rest) if rest.startswith(_MARK) else None
        if match is None or match.group(1) != _HOST or _alive(int(match.group(2))):
            continue  # not a name lod makes, another machine's, or a live run's
        if rest.startswith("lod-previous-") and not os.path.lexists(target):
            path.rename(target)  # the run died between its two renames: the previous folder comes back
            continue
        _remove(path)
        removed.append(path)
    return removed


def temp_beside(target: str | os.PathLike[str]) -> Path:
    """A new empty temp file beside ``target`` (debris of killed runs is swept first)."""
    target = Path(target)
    sweep(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{_MARK}{_tag()}-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise E.WriteError(f"could not write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    return Path(tmp)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and a rename."""
    return write_all_atomic({Path(path): data})[0]


def replaceable(target: Path, ours: Callable[[Path], bool]) -> bool:
    """Whether lod may replace the folder ``target`` whole: it is not there, is empty, or ``ours`` says lod wrote it.

    The one rule by which sites, bags and Dask parts never replace a folder of someone else's files.
    """
    if not target.exists():
        return True
    return target.is_dir() and (not any(target.iterdir()) or ours(target))


def write_all_atomic(files: dict[Path, bytes]) -> list[Path]:
    """Write several files that belong together: every temp file first, then the renames, one after another.

    A crash while the data is written leaves every file as it was; only the renames, a few system
    calls at the end, stand between the old set and the new one.
    """
    temps: dict[Path, Path] = {}
    try:
        for target, data in files.items():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise E.WriteError(f"could not write {target}: {exc}") from exc
            temps[target] = temp_beside(target)
            with open(temps[target], "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for target, tmp in temps.items():
            publish_file(tmp, target)
    except OSError as exc:
        if isinstance(exc, E.LodError):
            raise
        raise E.WriteError(f"could not write {', '.join(map(str, files))}: {exc}") from exc
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    return list(files)


def publish_file(tmp: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Rename a finished temp file into place, with the usual mode (``mkstemp`` makes 0600), durably."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, target)
    _fsync_dir(Path(target).parent)


def staging_dir(target: str | os.PathLike[str]) -> Path:
    """A new empty folder beside ``target`` to build its replacement in (debris is swept first)."""
    target = Path(target)
    sweep(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.{_MARK}staging-{_tag()}-", dir=target.parent))
    except OSError as exc:
        raise E.WriteError(f"could not write {target}: {exc.strerror or exc}") from exc


def spill_dir() -> Path:
    """A new folder in the OS temp folder (``TMPDIR``) for a streaming run's spilled batches."""
    root = Path(tempfile.gettempdir())
    try:
        for entry in os.scandir(root):
            match = re.match(r"lod-spill-([0-9a-f]{6})-(\d+)-", entry.name)
            if (match and match.group(1) == _HOST and entry.is_dir(follow_symlinks=False)
                    and not _alive(int(match.group(2)))):
                shutil.rmtree(entry.path, ignore_errors=True)
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix=f"lod-spill-{_tag()}-", dir=root))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    func = getattr(_LIBC, "renameat2", None) if _LIBC is not None else None
    if func is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if func(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - no C library to load
    _LIBC = None


def replace_dir(staging: Path, target: Path) -> None:
    """Put a finished folder in place of ``target``: at any moment there is the old folder or the new one.

    With RENAME_EXCHANGE the two are swapped in one step and the old one (now at the staging
    name) is removed. Without it, the old folder is renamed aside first; a run killed between
    the two renames has its old folder restored by the next run's :func:`sweep`.
    """
    if not os.path.lexists(target):
        staging.rename(target)
    elif _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    else:
        old = target.with_name(f".{target.name}.{_MARK}previous-{_tag()}")
        _remove(old)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(target.parent)


def usual_mode(folder: str | os.PathLike[str]) -> None:
    """Give a staged folder the mode a new folder gets (``mkdtemp`` makes it 0700)."""
    os.chmod(folder, 0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
