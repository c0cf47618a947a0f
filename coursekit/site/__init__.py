"""The course home page and the language switcher."""
