package commands

// The HELP topics of the account commands, added to helpTopics next to the commands they describe.
func init() {
	helpTopics["*"] += "\nAccounts: AUTHENTICATE REGISTER VERIFY, and the services NickServ (NS) and ChanServ (CS): /msg NickServ HELP"
	helpTopics["AUTHENTICATE"] = "AUTHENTICATE <mechanism>|<base64>|+|*\nLogs in with SASL (PLAIN, SCRAM-SHA-256, EXTERNAL); * aborts."
	helpTopics["REGISTER"] = "REGISTER <account>|* <email>|* <password>\nRegisters an account (* = your nick) and logs you in."
	helpTopics["VERIFY"] = "VERIFY <account> <code>\nCompletes a registration that needs verification (never needed here)."
	helpTopics["NS"] = "NS <command> [args]\nTalks to NickServ (accounts); NS HELP lists its commands."
	helpTopics["NICKSERV"] = helpTopics["NS"]
	helpTopics["CS"] = "CS <command> [args]\nTalks to ChanServ (channel registration); CS HELP lists its commands."
	helpTopics["CHANSERV"] = helpTopics["CS"]
}
