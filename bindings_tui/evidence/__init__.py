"""Evidence for the push diagnosis beyond the bindings: Twilio's Monitor alerts, users'
reachability, the whole push configuration, and the verdict for one identity.

Pure functions over what `diagnose_run` read; no I/O and no textual here.
"""
