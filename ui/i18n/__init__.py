"""Languages and fonts for the gate screen.

The source strings in ui/ are English, wrapped in `tr()`; Chinese (zh_CN), the default,
comes from ui/i18n/gatepost_zh_CN.qm, compiled from the .ts file that translators edit
(`scripts/translations.sh` runs pyside6-lupdate and pyside6-lrelease). Switching language
at run time installs or removes the translator; every widget retranslates itself on the
LanguageChange event it then receives.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator
from PySide6.QtGui import QFont, QFontDatabase

log = logging.getLogger("gate")

HERE = Path(__file__).parent
QM_FILE = HERE / "gatepost_zh_CN.qm"
TS_FILE = HERE / "gatepost_zh_CN.ts"

# Families with the whole of GB2312, in order of preference, and where Debian puts them
# (fonts-wqy-microhei, fonts-noto-cjk): loaded by path when fontconfig does not list them.
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                "Microsoft YaHei", "PingFang SC")
CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc")


def find_cjk_family() -> str | None:
    """A font family that has Chinese glyphs, loading a known file if needed; None if none."""
    families = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in families:
            return family
    for path in CJK_FILES:
        if Path(path).exists():
            font_id = QFontDatabase.addApplicationFont(path)
            loaded = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if loaded:
                return loaded[0]
    for family in families:  # any family that can write Chinese at all
        if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family):
            return family
    return None


def apply_cjk_font(app) -> str | None:
    """Make a CJK family the application font; log an error when none exists (empty boxes)."""
    family = find_cjk_family()
    if family is None:
        log.error("no Chinese font found: install fonts-wqy-microhei or fonts-noto-cjk")
        return None
    font = QFont(family)
    font.setPointSize(max(app.font().pointSize(), 12))
    app.setFont(font)
    return family


def readable(text: str) -> str:
    """The catalogue writes "℃" (U+2103), which WenQuanYi Micro Hei, the CJK font on a fresh
    Debian kiosk, does not have: it would show as a gap ("发热阈值（ ）"). "°C" is in every
    font. Every screen text that may hold it goes through here (verdicts, setting meanings)."""
    return text.replace("（℃）", "（°C）").replace("℃", " °C")


def qt_translations_folder() -> Path:
    """Where PySide6 keeps Qt's own translations (qtbase_zh_CN.qm: the file dialog's and the
    message boxes' buttons)."""
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def screen_lang() -> str:
    """The language showing now: "zh" while the Chinese translation is installed, else "en".

    The .ts translates this marker into its own language code, so words of the catalogue
    (kiosk/messages.py: verdicts, refusals, the log's words) follow the same switch as
    the tr() words, without the widgets holding a Language object.
    """
    return "zh" if QCoreApplication.translate("Language", "en") == "zh" else "en"


class Language:
    """The screen's language: "zh" (the default) or "en"."""

    def __init__(self, app: QCoreApplication):
        self._app = app
        self._translator = QTranslator()
        # Qt's own words (QFileDialog, QMessageBox, QDialogButtonBox buttons) switch with ours
        self._qt_translator = QTranslator()
        self.code = ""  # nothing chosen yet: the first set() applies
        if not self._translator.load(str(QM_FILE)):
            log.error("translation file missing: %s (the screen stays in English)", QM_FILE)
        qt_file = qt_translations_folder() / "qtbase_zh_CN.qm"
        if not self._qt_translator.load(str(qt_file)):
            log.warning("Qt's translation missing: %s (its dialogs' buttons stay in English)", qt_file)

    def set(self, code: str) -> None:
        if code == self.code:
            return
        if code == "zh":
            self._app.installTranslator(self._qt_translator)
            self._app.installTranslator(self._translator)
        else:
            self._app.removeTranslator(self._translator)
            self._app.removeTranslator(self._qt_translator)
        self.code = code

    def close(self) -> None:
        self._app.removeTranslator(self._translator)
        self._app.removeTranslator(self._qt_translator)

    def toggle(self) -> str:
        self.set("en" if self.code == "zh" else "zh")
        return self.code
