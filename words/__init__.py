"""Every user-facing word in one place: status labels, dates, help, fixed sentences.

Chat, reports and the CLI all take their Vietnamese from here, so a label reads the same in a
reminder, a workbook and a coordinator's summary.
"""
