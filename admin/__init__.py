"""The Flask-Admin back office: thin views whose actions call the workflow engine.

Views are added by the back-office work; nothing is registered yet.
"""
