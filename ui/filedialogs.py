"""The one way the screens ask for a file to write (exports, card sheets): issue 10.

Two dangers, two answers:
- a lead who saves where the dialog happens to open can overwrite the gate's database:
  the dialog starts in an export folder (a mounted USB stick, else Documents, else home),
  never the database's folder; data.outputs refuses the database's files anyway;
- Qt's default dialog *opens* every file it lists to sniff its MIME type (for the icon
  and the "Type" column). Closing any descriptor on the database file drops SQLite's
  POSIX locks in the whole process (sqlite.org/howtocorrupt.html, section 2.2): a second
  process then believes it is alone, checkpoints and deletes the -wal under the gate's
  open connection. So: Qt's own (non-native) dialog, an icon provider that answers from
  QFileInfo.isDir() alone (a stat, never an open), no custom folder icons, symlinks not
  resolved, name filters only (a MIME filter would sniff too). docs/reliability.md has the
  proof (tests/ui/test_filedialogs.py).
"""
from __future__ import annotations

import getpass
import os
from pathlib import Path

from PySide6.QtCore import QDir, QFileInfo, QStandardPaths
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QStyle, QWidget

USB_ROOTS = ("/media/{user}", "/run/media/{user}", "/media")


class NameOnlyIconProvider(QAbstractFileIconProvider):
    """Icons and type names from QFileInfo.isDir() only: a folder or a file, nothing read."""

    def icon(self, what) -> QIcon:
        """`what` is a QFileInfo (a listed entry) or an IconType (the sidebar's places)."""
        if isinstance(what, QFileInfo):
            folder = what.isDir()
        else:
            folder = what != QAbstractFileIconProvider.IconType.File
        return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon if folder
                                  else QStyle.StandardPixmap.SP_FileIcon)

    def type(self, info: QFileInfo) -> str:
        return QApplication.translate("NameOnlyIconProvider", "Folder" if info.isDir() else "File")


def usb_sticks(user: str | None = None, roots: tuple[str, ...] = USB_ROOTS) -> list[Path]:
    """Mounted removable media under the usual mount roots, in the order found."""
    user = user or _user()
    found: list[Path] = []
    for root in roots:
        folder = Path(root.format(user=user))
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and os.path.ismount(entry) and entry not in found:
                found.append(entry)
    return found


def export_folder(db_path: str | Path | None = None, roots: tuple[str, ...] = USB_ROOTS) -> Path:
    """Where a save dialog starts: a USB stick, else Documents, else home; never the folder
    of the database (nor the one of its backups)."""
    avoid = {Path(os.path.realpath(db_path)).parent} if db_path else set()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    for candidate in [*usb_sticks(roots=roots), Path(documents) if documents else None, Path.home()]:
        if candidate is not None and candidate.is_dir() and Path(os.path.realpath(candidate)) not in avoid:
            return candidate
    return Path(os.path.realpath(db_path)).parent.parent if db_path else Path.home()


def save_dialog(parent: QWidget | None, title: str, file_name: str, name_filters: list[str],
                db_path: str | Path | None = None) -> QFileDialog:
    """A save dialog that opens no file it lists (module docstring); starts in export_folder()."""
    # Built on the root folder (no database lives there) so that nothing is listed with
    # Qt's own icon provider; then ours, then the export folder.
    dialog = QFileDialog(parent, title, QDir.rootPath())
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setOption(QFileDialog.Option.DontResolveSymlinks, True)
    dialog.setIconProvider(NameOnlyIconProvider())  # before any folder is listed
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setNameFilters(name_filters)  # names only: never setMimeTypeFilters
    dialog.setDirectory(str(export_folder(db_path)))
    dialog.selectFile(file_name)
    return dialog


def ask_save_path(parent: QWidget | None, title: str, file_name: str, name_filters: list[str],
                  db_path: str | Path | None = None) -> tuple[Path | None, str]:
    """Run save_dialog: (the chosen path or None, the chosen name filter). The dialog has
    asked before replacing an existing file, so the caller may write with force."""
    dialog = save_dialog(parent, title, file_name, name_filters, db_path)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None, ""
    return Path(dialog.selectedFiles()[0]), dialog.selectedNameFilter()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "")
