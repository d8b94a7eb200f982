"""Reports into incidents, and rule 6: when an incident is verified.

A report joins the incident it corroborates (the same event, near in space and time) or
makes a new one; an incident is verified by independent sources, or by one report graded
well enough from a kind of source trusted to verify alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from .case_rules import CaseRules
from .incidents import CorroborationIndex, Incident, Status, Verification
from .reports import Report
from .severity import Severity, SeverityTable
from .sources import Source, weighed
from .state import How, State
from .violations import Violations

TRUSTED_INPUT = "trusted input"
"""Who verified an incident made of a trusted report (curated data, --trust-input)."""


_NONE: dict[str, Source] = {}
"""No report of the source graded (never written to)."""


class Corroborator:
    def __init__(self, state: State, cases: CaseRules, violations: Violations) -> None:
        self._state = state
        self._cases = cases
        self._violations = violations
        policy = state.policy
        rules = policy.corroboration
        self.index = CorroborationIndex(rules)
        self.graded: dict[str, dict[str, Source]] = {}
        """The registry's entry for each report from a declared source, as it stood when
        the report arrived, by source and id: rule 6 judges the report by it. By source
        first: a million `(source, id)` keys cost 98 MB, a dict of ids per source 38 MB."""
        self._independent_groups = rules.independent_groups
        self._never_counts = frozenset(rules.never_counts)
        self._grades = (
            frozenset(rules.single_source.reliability),
            frozenset(rules.single_source.credibility),
            frozenset(rules.single_source.source_kinds),
        )
        self._classify = SeverityTable(policy.severity)

    def accept(self, report: Report, trusted: bool) -> None:
        """Take a report: into its incident, verifying it when the report makes it so."""
        if trusted:
            incident = self.new_incident(report)
            incident.severity = self.severity(incident)
            self._cases.verify(incident, (Verification.TRUSTED_INPUT, TRUSTED_INPUT))
            return
        match = self.index.find(report)
        while match is not None and match.merged_into is not None:
            match = self._state.incidents[match.merged_into]
        if match is None:
            incident = self.new_incident(report)
        else:
            incident = match
            incident.add(report)
            self._state.changes.incidents[incident.id] = incident
        self.index.add(report, incident)
        incident.groups |= self.groups_of((report,))
        before = incident.severity
        incident.severity = self.severity(incident)
        if incident.verified:
            if incident.severity > before:
                self._cases.severity_rose(incident)
        elif incident.status in (Status.REJECTED, Status.DISPUTED, Status.MERGED):
            return
        elif how := self._corroborated(incident, report):
            self._cases.verify(incident, how)
        elif len(incident.reports) > 1 and incident.status is Status.UNVERIFIED:
            incident.status = Status.CORROBORATED

    def new_incident(self, report: Report) -> Incident:
        state = self._state
        seq = len(state.incidents) + 1
        incident = Incident.of(report, f"inc-{seq}", seq)
        state.incidents[incident.id] = incident
        state.changes.incidents[incident.id] = incident
        return incident

    def _corroborated(self, incident: Incident, report: Report) -> How | None:
        """Rule 6, as a report arrives: independent groups, or this report graded well."""
        if len(incident.groups) >= self._independent_groups:
            return Verification.CORROBORATION, None
        return (Verification.GRADED_REPORT, report.source) if self._verifies_alone(report) else None

    def qualifies(self, incident: Incident) -> How | None:
        """Rule 6 over all of an incident's reports (after an analyst regrouped them)."""
        if len(incident.groups) >= self._independent_groups:
            return Verification.CORROBORATION, None
        alone = next((r for r in incident.reports if self._verifies_alone(r)), None)
        return None if alone is None else (Verification.GRADED_REPORT, alone.source)

    def _verifies_alone(self, report: Report) -> bool:
        """One report graded well enough, from a kind of source trusted to verify alone
        (the registry's kind and grades, where it declared the source)."""
        reliability, credibility, kinds = self._grades
        kind, graded, credible = weighed(report, self.grading(report))
        return (
            kind in kinds
            and kind not in self._never_counts
            and graded in reliability
            and credible in credibility
        )

    def groups_of(self, reports: Iterable[Report]) -> set[str]:
        """The independence groups of the reports that count toward verification: the
        registry's where it declared the source, else each source its own."""
        groups = set()
        graded = self.graded
        for report in reports:
            entry = graded.get(report.source, _NONE).get(report.id) if graded else None
            if entry is None:
                if report.source_kind not in self._never_counts:
                    groups.add(report.source)
            elif entry.kind not in self._never_counts:
                groups.add(entry.independence_group)
        return groups

    def grade(self, report: Report, entry: Source) -> None:
        """Judge this report by this entry of the registry (its source's as it arrived)."""
        by_id = self.graded.get(report.source)
        if by_id is None:
            by_id = self.graded[report.source] = {}
        by_id[report.id] = entry

    def grading(self, report: Report) -> Source | None:
        """The registry's entry rule 6 judges this report by (None: undeclared then)."""
        graded = self.graded
        return graded.get(report.source, _NONE).get(report.id) if graded else None

    def severity(self, incident: Incident) -> Severity:
        if incident.seq in self._violations.repeat_broad:
            return Severity.BROAD_ATTACK
        return self._classify(incident.event_types, incident.killed + incident.injured)
