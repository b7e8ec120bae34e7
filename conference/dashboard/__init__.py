"""The case dashboard for coordinators and managers, and the agency engagement report."""
