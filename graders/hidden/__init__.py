"""Hidden checks: compare with the reference on generated inputs. Never shipped to students."""
