"""Test-wide set-up. Qt must never look for a display in the unit tests: without one it
aborts the whole run, so the offscreen platform is the default (an Xvfb test sets DISPLAY
and its own platform in the child process it starts)."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
