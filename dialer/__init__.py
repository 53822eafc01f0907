"""Contacts, agents, campaigns, dispatch, telephony and the call trace.

Empty until the call-centre core lands (issues 3 and 4). It may import the
questionnaire core; the core never imports it.
"""
