"""Device adapters (OLED display, buttons, speech) and their emulated twins."""
