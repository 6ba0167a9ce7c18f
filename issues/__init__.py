"""The issue list, referral and escalation slips, spot checks (R11–R16). Built by the issue-list issue."""
