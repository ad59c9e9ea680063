"""Output folders that never lose data (docs/output-folders.md).

Every command that writes a folder goes through `OutputFolder`:
- it holds an advisory lock on the folder for its whole life, so a second
  writer (a `--resume` included) is refused with the first one's PID and command;
- `run`, `compare` and experiments build into a hidden folder inside `--out` and
  move the result into place only once it is complete; sweeps, which grow over
  time, write each file by temp file + fsync + rename;
- `manifest.json` is written last and atomically (tool, version, command, seed,
  config hash, every file with its SHA-256): a folder without it is incomplete;
- `--force` removes only what this tool wrote, by the manifest (or, in folders
  from before manifests, by `metadata.json` and the tool's own output names),
  and refuses anything else with one line naming what would be lost.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatchcase
from pathlib import Path

from . import __version__
from .parallel import signals_held

TOOL = "coprod_sim"
MANIFEST = "manifest.json"
METADATA = "metadata.json"
# Everything the tool keeps for itself inside --out starts so (lock, build and trash folders).
INTERNAL = ".coprod-sim."
LOCK = INTERNAL + "lock"
BUILDING = INTERNAL + "building-"
OLD = INTERNAL + "old-"

# Names this tool writes. In a folder its manifest or metadata.json claims, files
# matching them count as its own even when no manifest lists them (folders from
# before manifests, run files of a sweep still running). `*` stays within one path part.
# A run folder's tables and summary (runs.write_run_folder writes them).
RUN_FILES = (
    "config.toml",
    "timeseries.parquet",
    "timeseries.csv",
    "neighbourhoods.parquet",
    "neighbourhoods.csv",
    "places.parquet",
    "places.csv",
    "summary.json",
)
# The names a run folder may hold (OutputFolder checks them before --force replaces anything).
RUN_FOLDER_NAMES = (*RUN_FILES, METADATA, "figures")
KNOWN_OUTPUTS = (
    *RUN_FILES,
    METADATA,
    MANIFEST,
    "figures/timeseries.png",
    "comparison.parquet",
    "comparison.csv",
    "report.html",
    "figures/differences.png",
    "figures/neighbourhood_trust.png",
    "figures/series_*.png",
    "sweep.toml",
    "design.parquet",
    "failures.jsonl",
    "design.csv",
    "runs/*.parquet",
    "runs/*.parquet.tmp",
    "runs/*.csv",
    "runs/*.csv.tmp",
    "analysis/results.parquet",
    "analysis/results.csv",
    "analysis/indices.parquet",
    "analysis/indices.csv",
    "analysis/notes.txt",
    f"analysis/{MANIFEST}",
    "analysis/figures/indices.png",
    "analysis/figures/indices_levels.png",
    "analysis/figures/main_effect_*.png",
    "analysis/figures/heatmap.png",
    "profile.toml",
    "calibration.json",
    "calibration.db",
    "calibration.db-journal",
    "posterior.parquet",
    "calibrated.toml",
    "fit.json",
    "fit.html",
    "parameters.json",
    "figures/fit.png",
    "figures/marginals.png",
    "figures/pairs.png",
)
# Names a sub-folder of a command's folder may not take (run folders named after config files).
RESERVED_NAMES = {
    "figures",
    "runs",
    "analysis",
    "comparison.parquet",
    "comparison.csv",
    "report.html",
    MANIFEST,
    METADATA,
}
SAFE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


class OutputError(RuntimeError):
    """An output folder problem, phrased for the user: exit status 2 for a refusal
    (the folder is not this tool's, or in use), 1 when the environment failed
    (disk full, read-only file system)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def os_problem(e: OSError) -> str:
    """An OSError as a short phrase naming the file and what went wrong."""
    reason = e.strerror or str(e)
    if e.errno == errno.ENOSPC or "No space left" in str(e):  # pyarrow's own wording has no errno
        reason = "no space left on device"
    return f"{e.filename}: {reason}" if e.filename else reason


# --------------------------------------------------------------------------- atomic writes
def fsync_dir(path: Path) -> None:
    """Make renames and new entries in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write `path` through; once the block succeeds the
    file is fsynced and renamed into place (a reader never sees half a file); if
    it fails, the temporary file is removed."""
    path = Path(path)
    tmp = path.with_name(f"{INTERNAL}{path.name}.tmp")
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_json_atomic(path: str | Path, data) -> None:
    write_text_atomic(path, json.dumps(data, indent=2))


# --------------------------------------------------------------------------- lock
class FolderLock:
    """An advisory lock (flock) on a file inside the folder, held until `release`.

    The lock file says who holds it, so a refused command can name the holder.
    It is removed on release; a process that opened it just before then sees that
    the file it locked is no longer the folder's lock file and tries again."""

    def __init__(self, folder: str | Path, command: str):
        self.folder = Path(folder)
        self.path = self.folder / LOCK
        self.command = command
        self.fd: int | None = None

    def acquire(self) -> FolderLock:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise OutputError(
                    f"{self.folder} is in use by another coprod-sim command ({holder});"
                    " wait for it to finish or choose another folder"
                ) from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        holder = json.dumps({"pid": os.getpid(), "command": self.command, "since": _now()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode())
        return f"PID {info['pid']}: {info['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "PID unknown"


# --------------------------------------------------------------------------- manifest
def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(
    folder: str | Path,
    *,
    kind: str,
    command: str,
    files: Iterable[str],
    seed: int | None = None,
    config_hash: str | None = None,
    **extra,
) -> dict:
    """Write `folder`/manifest.json last and atomically; `files` are paths relative to `folder`."""
    folder = Path(folder)
    listed = {}
    for rel in sorted(set(files) - {MANIFEST}):
        path = folder / rel
        listed[rel] = {"bytes": path.stat().st_size, "sha256": file_digest(path)}
    manifest = {
        "tool": TOOL,
        "version": __version__,
        "kind": kind,
        "command": command,
        "seed": seed,
        "config_hash": config_hash,
        **extra,
        "written": _now(),
        "files": listed,
    }
    write_json_atomic(folder / MANIFEST, manifest)
    return manifest


def read_manifest(folder: str | Path) -> dict | None:
    """The folder's manifest; None without one; a damaged one is named in the error."""
    path = Path(folder) / MANIFEST
    if not path.is_file() or path.is_symlink():
        return None
    try:
        manifest = json.loads(path.read_text())
        if manifest.get("tool") != TOOL or not isinstance(manifest.get("files"), dict):
            raise ValueError("not written by coprod_sim")
    except (ValueError, AttributeError) as e:
        raise OutputError(
            f"{path} is damaged or not this tool's ({e}); cannot tell which files this tool wrote"
        ) from None
    return manifest


def verify(folder: str | Path) -> list[str]:
    """What is wrong with a finished folder (empty list: complete and unchanged)."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except OutputError as e:
        return [str(e)]
    if manifest is None:
        return [f"{folder} has no {MANIFEST}: it is incomplete"]
    problems = []
    for rel, entry in manifest["files"].items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif path.stat().st_size != entry["bytes"] or file_digest(path) != entry["sha256"]:
            problems.append(f"{rel}: changed since it was written")
    return problems


# --------------------------------------------------------------------------- what is whose
def walk(folder: Path) -> tuple[list[str], list[str]]:
    """Regular files and symbolic links under `folder` (relative, POSIX), never
    following links and skipping the tool's internal entries."""
    files, links = [], []
    for root, dirs, names in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        for d in list(dirs):
            if os.path.islink(os.path.join(root, d)):
                links.append((rel_root / d).as_posix())
                dirs.remove(d)
            elif rel_root == Path(".") and d.startswith(INTERNAL):
                dirs.remove(d)
        for n in names:
            rel = (rel_root / n).as_posix()
            if rel_root == Path(".") and n.startswith(INTERNAL):
                continue
            (links if os.path.islink(os.path.join(root, n)) else files).append(rel)
    return files, links


def _matches(rel: str, pattern: str) -> bool:
    parts, pats = rel.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatchcase(p, q) for p, q in zip(parts, pats, strict=True))


def is_known_output(rel: str) -> bool:
    return any(_matches(rel, p) for p in KNOWN_OUTPUTS)


def _metadata_is_ours(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    try:
        return json.loads(path.read_text()).get("package") == TOOL
    except (ValueError, AttributeError) as e:
        raise OutputError(f"{path} is damaged ({e}); cannot tell whether this tool wrote the folder") from None


def owned_files(folder: str | Path) -> set[str] | None:
    """Files under `folder` this tool wrote (relative paths), or None when nothing
    says the folder is the tool's (no manifest.json, no metadata.json of its own)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    ours = manifest is not None or _metadata_is_ours(folder / METADATA)
    # a comparison from before manifests: comparison.parquet beside run folders of the tool
    run_dirs = set()
    if (folder / "comparison.parquet").is_file():
        run_dirs = {
            p.name for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and _metadata_is_ours(p / METADATA)
        }
    if not ours and not run_dirs:
        return None
    listed = set(manifest["files"]) if manifest else set()
    files, _ = walk(folder)
    owned = set()
    for rel in files:
        top, _, rest = rel.partition("/")
        if rel in listed or is_known_output(rel) or (top in run_dirs and is_known_output(rest)):
            owned.add(rel)
    return owned


def entry_name_problem(name: str) -> str | None:
    """Why `name` cannot name a sub-folder (None: it can): it must stay inside the
    folder and not collide with an output of the command."""
    if not name or name.startswith(".") or not set(name) <= SAFE_NAME_CHARS or name.lower() in RESERVED_NAMES:
        reserved = ", ".join(sorted(RESERVED_NAMES))
        allowed = "letters, digits, '_', '-', '.', not starting with '.'"
        return f"{name!r} cannot name a run folder (allowed: {allowed}; not {reserved})"
    return None


# --------------------------------------------------------------------------- the folder
PROTECTED = (Path("/"), Path.home())


class OutputFolder:
    """A command's output folder, locked while the command runs.

    `path` is where the command writes: a hidden build folder inside `out`, or
    `out` itself when `in_place` (sweeps). `complete()` writes the manifest and,
    for a build folder, moves the new files into place; leaving the `with` block
    without it discards what was built and leaves `out` as it was.

    `writes`: the top-level names the command may write; with `force`, whatever
    is there under those names (under any name, if none are given) must be this
    tool's, or the command is refused before it starts. `resume`: continue in a
    non-empty folder (sweeps)."""

    def __init__(
        self,
        out: str | Path,
        *,
        kind: str,
        command: str,
        force: bool = False,
        resume: bool = False,
        writes: Iterable[str] = (),
        in_place: bool = False,
    ):
        if not str(out).strip():  # Path("") would be the current folder
            raise OutputError("--out is empty; name an output folder")
        self.out = Path(out)
        self.kind = kind
        self.command = command
        self.force = force
        self.resume = resume
        self.writes = set(writes)
        self.in_place = in_place
        self.lock = FolderLock(self.out, command)
        self.owned: set[str] = set()
        self.created: list[Path] = []  # folders this command made, deepest first
        self.path = self.out

    # ----------------------------------------------------------------- start
    def __enter__(self) -> OutputFolder:
        out = self.out
        if out.is_symlink() and not out.exists():
            raise OutputError(f"--out {out} is a symbolic link to {os.readlink(out)}, which does not exist")
        if out.exists() and not out.is_dir():
            raise OutputError(f"--out {out} is a file, not a folder")
        self._check_force_allowed()  # before anything is created in the folder; again below, under the lock
        try:
            self.created = [p for p in (out, *out.parents) if not p.exists()]
            out.mkdir(parents=True, exist_ok=True)
            self.lock.acquire()
        except OSError as e:
            self._cleanup()
            raise OutputError(f"cannot create or lock --out {out}: {os_problem(e)}", exit_code=1) from None
        except BaseException:
            self._cleanup()
            raise
        try:
            self._remove_stale_internals()
            self._check_force_allowed()
            if self._visible() and self.force:
                self.owned = owned_files(out) or set()
                # a command that cannot name its outputs in advance may replace anything but foreign files
                self._refuse_foreign(self.writes or set(self._visible()))
            if self.in_place:
                self._start_in_place()
            else:
                self.path = out / f"{BUILDING}{os.getpid()}"
                self.path.mkdir()
        except OSError as e:
            self._cleanup()
            raise OutputError(f"cannot prepare --out {out}: {os_problem(e)}", exit_code=1) from None
        except BaseException:
            self._cleanup()
            raise
        return self

    def _visible(self) -> list[str]:
        return (
            sorted(p.name for p in self.out.iterdir() if not p.name.startswith(INTERNAL)) if self.out.is_dir() else []
        )

    def _remove_stale_internals(self) -> None:
        # left by a command that was killed; we hold the lock, so no one else is using them
        for p in self.out.iterdir():
            if p.name.startswith((BUILDING, OLD)) and p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.name.startswith(INTERNAL) and p.name.endswith(".tmp") and p.is_file():
                p.unlink()

    def _check_force_allowed(self) -> None:
        """A non-empty folder needs --force (or --resume); --force never touches / or the home folder."""
        if not self._visible() or self.resume:
            return
        if not self.force:
            also = " (or --resume to finish the sweep there)" if self.kind == "sweep" else ""
            raise OutputError(
                f"--out {self.out} is not empty; choose another folder or pass --force to replace this tool's files"
                f" there{also}"
            )
        resolved = self.out.resolve()
        if any(resolved == p or resolved in p.parents for p in PROTECTED):
            raise OutputError(
                f"--force will not replace files in {resolved} (the root or your home folder); choose a sub-folder"
            )

    def _refuse_foreign(self, names: set[str]) -> None:
        """Refuse when something under `names` is not this tool's (it would be lost)."""
        files, links = walk(self.out)
        foreign = [rel for rel in files if rel.split("/")[0] in names and rel not in self.owned]
        foreign += [rel + " (a symbolic link)" for rel in links if rel.split("/")[0] in names]
        if foreign:
            shown = ", ".join(sorted(foreign)[:4]) + (f" and {len(foreign) - 4} more" if len(foreign) > 4 else "")
            article = "an" if self.kind[0] in "aeiou" else "a"
            raise OutputError(
                f"--out {self.out} holds {shown}, not from {article} {self.kind} of this tool (not listed in its"
                f" {MANIFEST} or {METADATA}); --force replaces only this tool's files:"
                " move them or choose another folder"
            )

    def _start_in_place(self) -> None:
        """--force clears this tool's old files (its manifest included) before anything is written."""
        if self.force:
            for rel in sorted(self.owned, reverse=True):
                (self.out / rel).unlink(missing_ok=True)
                _prune_empty_dirs(self.out, Path(rel).parent)

    def changing(self) -> None:
        """A folder written in place is incomplete from now until `complete()`: its manifest goes."""
        if (self.out / MANIFEST).is_file():
            (self.out / MANIFEST).unlink()
            fsync_dir(self.out)

    # ----------------------------------------------------------------- finish
    def complete(
        self, *, seed: int | None = None, config_hash: str | None = None, files: Iterable[str] | None = None, **extra
    ) -> dict:
        """Write the manifest (listing `files`, default: all files written to `path`;
        a folder written in place must name its files) and, for a build folder,
        move the result into `out`."""
        if files is None and self.in_place:
            raise ValueError("a folder written in place lists its own files in the manifest")
        try:
            if files is None:
                files, links = walk(self.path)
                if links:
                    raise OutputError(
                        f"{self.out}: the output holds symbolic links ({', '.join(links[:3])}); this tool writes none"
                    )
            if not self.in_place:
                _fsync_tree(self.path)
            manifest = write_manifest(
                self.path,
                kind=self.kind,
                command=self.command,
                files=files,
                seed=seed,
                config_hash=config_hash,
                **extra,
            )
            if not self.in_place:
                with signals_held():  # a signal waits for the few renames: never half old, half new
                    self._commit()
        except OSError as e:
            raise OutputError(f"cannot write {self.out}: {os_problem(e)}; {self._unchanged()}", exit_code=1) from None
        return manifest

    def _unchanged(self) -> str:
        if self.in_place:
            return f"the files finished so far are kept; {self.out} has no {MANIFEST} until the command completes"
        return f"{self.out} was left as it was"

    def _commit(self) -> None:
        out, new = self.out, self.path
        new_top = {p.name for p in new.iterdir()}
        # re-check: nothing foreign may have appeared under the names being replaced
        self.owned = (owned_files(out) or set()) if self._visible() else set()
        self._refuse_foreign(new_top & set(self._visible()))
        trash = out / f"{OLD}{os.getpid()}"
        trash.mkdir()
        # the old manifest goes first: from here until the new one lands the folder reads as incomplete
        if (out / MANIFEST).exists():
            os.replace(out / MANIFEST, trash / MANIFEST)
        for name in sorted(new_top & set(self._visible())):
            os.replace(out / name, trash / name)
        for rel in sorted(self.owned):
            src = out / rel
            if rel.split("/")[0] in new_top or not src.exists():
                continue
            (trash / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, trash / rel)
            _prune_empty_dirs(out, Path(rel).parent)
        for name in sorted(new_top - {MANIFEST}):
            os.replace(new / name, out / name)
        fsync_dir(out)
        os.replace(new / MANIFEST, out / MANIFEST)
        fsync_dir(out)
        shutil.rmtree(trash)
        new.rmdir()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._cleanup()
        except OSError:
            if exc is None:
                raise
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {self.out}: {os_problem(exc)}; {self._unchanged()}", exit_code=1) from None

    def _cleanup(self) -> None:
        if not self.in_place and self.path != self.out and self.path.exists():
            shutil.rmtree(self.path)
        self.lock.release()
        for folder in self.created:  # a failed command leaves no empty folder it made
            if not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def _prune_empty_dirs(root: Path, rel_dir: Path) -> None:
    while rel_dir != Path(".") and str(rel_dir):
        d = root / rel_dir
        if d.is_dir() and not d.is_symlink() and not any(d.iterdir()):
            d.rmdir()
        else:
            return
        rel_dir = rel_dir.parent


def _fsync_tree(folder: Path) -> None:
    """Flush every file and folder of a build before it is renamed into place."""
    for root, _, names in os.walk(folder):
        for n in names:
            fd = os.open(os.path.join(root, n), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(root))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
