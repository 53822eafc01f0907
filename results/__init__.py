"""Response storage, exports, AAPOR rates, reports and the partner API.

Empty until the results issue lands. Reads the trace; never writes dialing state.
"""
