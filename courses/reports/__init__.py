"""统计报表: attendance figures per class, site, unit, trainee and month, teaching
hours, and every report as a streaming CSV or XLSX file."""

from courses.reports.figures import (
    ClassGrid,
    GridRow,
    MonthFigures,
    Period,
    PersonTimes,
    PlaceFigures,
    TraineeClassRow,
    class_grid,
    class_records,
    held_sessions,
    person_times_by_month,
    site_figures,
    trainee_classes,
    unit_figures,
    unit_kinds,
)
from courses.reports.teaching import TeachingHours, teaching_hours

__all__ = [
    "ClassGrid",
    "GridRow",
    "MonthFigures",
    "Period",
    "PersonTimes",
    "PlaceFigures",
    "TeachingHours",
    "TraineeClassRow",
    "class_grid",
    "class_records",
    "held_sessions",
    "person_times_by_month",
    "site_figures",
    "teaching_hours",
    "trainee_classes",
    "unit_figures",
    "unit_kinds",
]
