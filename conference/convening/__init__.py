"""Convening: from "we need a strategy meeting" to invitations in every attendee's calendar."""
