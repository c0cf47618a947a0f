"""SCORM 1.2 / 2004 dispatch packages: a zip for the LMS that opens the hosted course."""
