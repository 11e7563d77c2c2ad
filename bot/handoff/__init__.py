"""Human handoff: tickets, routing by team and working hours, the digital team's console."""
