"""The app's three themes: dark, light and high contrast.

The names saved in the config (``qa_tui.config.THEMES``) map to Textual themes registered
here; screens style themselves with theme variables only, so every theme works everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.theme import Theme

if TYPE_CHECKING:
    from textual.app import App

DARK = Theme(
    name="qa-dark",
    primary="#4A9EDB",
    secondary="#2B6CA3",
    accent="#F0A04B",
    warning="#F0A04B",
    error="#E5646E",
    success="#5BC07A",
    foreground="#E4E4E4",
    background="#1B1E23",
    surface="#23272E",
    panel="#2C313A",
    dark=True,
)

LIGHT = Theme(
    name="qa-light",
    primary="#1F5F99",
    secondary="#3C7BBF",
    accent="#A65E00",
    warning="#8A5300",
    error="#B3261E",
    success="#1E7B34",
    foreground="#1C1C1C",
    background="#F6F6F4",
    surface="#ECECEA",
    panel="#DEDEDA",
    dark=False,
)

# Pure black and white with saturated accents: maximum contrast, no mid-grey text.
HIGH_CONTRAST = Theme(
    name="qa-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    warning="#FFFF00",
    error="#FF5555",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    boost="#333333",
    dark=True,
    text_alpha=1.0,
    luminosity_spread=0.0,
    variables={
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#FFFF00",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#FFFF00 60%",
        "footer-key-foreground": "#FFFF00",
        "border": "#FFFFFF",
        "border-blurred": "#AAAAAA",
        # Hints and secondary text stay near full strength ("auto": black on the yellow
        # cursor, white on black), where the other themes fade them to 60%.
        "text-muted": "auto 90%",
        "text-disabled": "auto 75%",
    },
)

# config name -> Textual theme
THEMES: dict[str, Theme] = {"dark": DARK, "light": LIGHT, "high-contrast": HIGH_CONTRAST}
LABELS: dict[str, str] = {"dark": "Dark", "light": "Light", "high-contrast": "High contrast"}


def textual_name(setting: str) -> str:
    """The Textual theme name for a config theme name (dark if unknown)."""
    return THEMES.get(setting, DARK).name


def setting_name(textual_theme: str) -> str | None:
    """The config theme name for a registered Textual theme, or None for any other theme."""
    return next((key for key, theme in THEMES.items() if theme.name == textual_theme), None)


def register_themes(app: App[Any]) -> None:
    """Register the three themes with ``app``."""
    for theme in THEMES.values():
        app.register_theme(theme)
