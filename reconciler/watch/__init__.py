"""`watch`: drift reported seconds after someone changes Calendly, pushed by its webhooks.

signature.py verifies deliveries; subscription.py adopts or creates the organization webhook
subscription; app.py is the ASGI application uvicorn serves; coalesce.py turns bursts of
deliveries into one check per owner; checker.py runs the targeted and full drift checks;
notify.py posts to a Slack-compatible webhook; service.py wires them together and owns the
process lifecycle; logs.py writes one JSON object per event on stderr.
"""
