"""Reports for Sở Nội vụ: the state of the plan on a day, summaries, scoreboard, files.

`state` and `figures` ask the database (each figure one SQL statement); `workbook`, `tables`
and `chart` turn rows into files and never query.
"""
