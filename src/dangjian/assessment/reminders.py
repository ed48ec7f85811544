"""The assessment part of the daily 事前提醒 (`dangjian remind`): self-assessments and reviews
due, observation-meeting tasks due or overdue, open 述职评议 votes and rectifications. Each
part dedupes its own items, so running the job twice a day sends nothing twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.assessment.reminders_assessment import remind_assessments
from dangjian.assessment.reminders_observation import remind_observation_tasks
from dangjian.assessment.reminders_review import remind_reviews


@dataclass
class AssessmentReminders:
    assessments: int = 0
    tasks: int = 0
    reviews: int = 0

    @property
    def created(self) -> int:
        return self.assessments + self.tasks + self.reviews

    def summary(self) -> str:
        return (
            f"考核评比提醒：考核自评与复核 {self.assessments} 条，观摩会任务 {self.tasks} 条，"
            f"述职评议投票与整改 {self.reviews} 条。"
        )


def remind_all(today: dt.date) -> AssessmentReminders:
    return AssessmentReminders(
        assessments=remind_assessments(today),
        tasks=remind_observation_tasks(today),
        reviews=remind_reviews(today),
    )
