"""English: the same messages as nl.py, plain English, GSM-7 only."""

MESSAGES: dict[str, str] = {
    "welcome": "Hello! Here you can use a digicheque to get help at home with your phone, "
               "tablet or computer.",
    "code.ask": "Send the code of your digicheque. It is on the letter, e.g. ABCD-EFGH-K.",
    "code.accepted": "Thank you, your code is good.",
    "code.typo": "One character of the code is not right. Please look at the letter again "
                 "and send the code once more.",
    "code.malformed": "That is not a full code. A code has 9 characters, e.g. ABCD-EFGH-K. "
                      "Please send the code once more.",
    "code.not_a_code": "Send the code of your digicheque, e.g. ABCD-EFGH-K. No code? "
                       "Send HELP.",
    "code.unknown": "We do not know this code. Please look at the letter again and send the "
                    "code once more.",
    "code.used": "This code has already been used. Questions? Call the city: {phone}.",
    "code.void": "This code is no longer valid. Questions? Call the city: {phone}.",
    "code.expired": "This code has expired. Questions? Call the city: {phone}.",
    "code.locked": "You sent too many wrong codes. Try again in an hour, or call the city: "
                   "{phone}.",
    "postcode.ask": "What is your postcode?",
    "postcode.invalid": "A postcode has 4 digits, e.g. 9100. What is your postcode?",
    "postcode.outside": "Postcode {postcode} is not in {city}. Our coaches only visit "
                        "{city}. Call the city for help: {phone}. Or send another postcode.",
    "street.ask": "What is your street and house number? E.g. Kerkstraat 12",
    "street.invalid": "Send your street and house number, e.g. Kerkstraat 12",
    "street.number_missing": "Please also send your house number, e.g. Kerkstraat 12",
    "street.too_long": "That is too long. Send only street and number, e.g. Kerkstraat 12",
    "phone.ask_sms": "Which number can the coach call? Reply 1 for this number (ends in "
                     "{last}), or send another number.",
    "phone.ask": "Which number can the coach call? E.g. 0470 12 34 56",
    "phone.invalid": "I cannot read that number.",
    "topic.ask": "What do you want help with?",
    "topic.invalid": "I do not understand. Reply with a number.",
    "topic.ask_text": "Write in a few words what you want help with.",
    "topic.smartphone": "Smartphone or tablet",
    "topic.computer": "Computer",
    "topic.itsme": "itsme",
    "topic.banking": "Online banking",
    "topic.email": "E-mail",
    "topic.government": "Government websites",
    "topic.other": "Something else",
    "time.offer": "When can the coach come? Choose a number, or write a day, e.g. tuesday "
                  "afternoon.",
    "time.offer_later": "These are later times. Choose a number, or write a day.",
    "time.offer_wrap": "There are no later times. These are the first free times:",
    "time.offer_nearest": "That time is not free. These are the closest free times:",
    "time.not_understood": "I do not understand.",
    "time.gone": "That time is no longer free. Please choose another time:",
    "time.taken": "Sorry, someone else just took that time. Please choose another time:",
    "time.none": "Sorry, there are no free times now. Try again later or call the city: "
                 "{phone}.",
    "confirm.book": "Is this right? Visit on {start_day} from {start_time} to {end_time}, "
                    "{street}, {postcode}. Phone {number}. Help with: {topic}.",
    "confirm.move": "Move your visit to {start_day} from {start_time} to {end_time}?",
    "confirm.not_understood": "Please reply with a number.",
    "booked": "Done! The coach comes on {start_short} at {start_time}.",
    "booked.prepare": "The coach wears a city badge and never asks for your PIN or "
                      "passwords: you type them. To change, send MENU.",
    "moved": "Done! Your visit is now on {start_day} at {start_time}. Send MENU for more.",
    "menu": "Your visit is on {start_day} at {start_time}. What do you want to do?",
    "menu.already_booked": "Your visit is already booked.",
    "menu.no_visit": "You have no visit planned now.",
    "menu.not_understood": "I do not understand. Please reply with a number, or write "
                           "what you want, e.g. move.",
    "visit": "Your visit: {start_day} from {start_time} to {end_time}, {street}, {postcode}. "
             "Help with: {topic}.",
    "deadline": "It is too late to change the visit by message. Call the city: {phone}.",
    "cancel.ask": "Do you want to call off your visit on {start_day} at {start_time}?",
    "cancelled": "Your visit is cancelled. You can use your digicheque again: send the code "
                 "for a new visit.",
    "cancel.kept": "Fine, your visit stays planned.",
    "stop.ask": "Do you want no more messages from us?",
    "stop.done": "You will get no more messages. To get messages again, send START.",
    "stopped": "You get no messages from us. To get messages again, send START.",
    "start.again": "Welcome back! You will get messages again.",
    "resume": "Welcome back. We were talking about {where}.",
    "where.ask_postcode": "your address",
    "where.ask_street": "your address",
    "where.ask_phone": "your phone number",
    "where.ask_topic": "the help you want",
    "where.ask_topic_text": "the help you want",
    "where.ask_time": "a time for your visit",
    "where.confirm": "a time for your visit",
    "where.ask_code": "your code",
    "input.group": "Please write to me privately, not in a group.",
    "input.sticker": "Nice! But I can only read text.",
    "input.photo": "I cannot look at photos. Please type your answer.",
    "input.voice": "I cannot listen to voice messages. Please type your answer.",
    "input.location": "Thank you. Please type your address as text.",
    "input.other": "I can only read text. Please type your answer.",
    "input.empty": "I got an empty message.",
    "input.edited": "You changed a message. Please send your answer as a new message.",
    "language.changed": "Fine, we speak English.",
    "language.unavailable": "That language is not available yet.",
    "help": "Answer the question below. Send MENU to start from the beginning, or call the "
            "city: {phone}.",
    "error.sorry": "Sorry, something went wrong on our side.",
    "person": "Do you want to talk to a person? Call the city: {phone}.",
    "handoff.requested": "Fine. A member of the city's staff will answer you here, as soon "
                         "as possible. You can send your question now. Back to the bot? "
                         "Send MENU.",
    "handoff.waiting": "Thank you, we have your message. A staff member will answer you as "
                       "soon as possible. Back to the bot? Send MENU.",
    "handoff.left": "Fine, you are talking to the digicheque bot again.",
    "handoff.text_only": "The staff member can only read text. Please write your question "
                         "in a message.",
    "handoff.staff": "City of {city} staff: {text}",
    "handoff.closed": "The staff member has closed your question. You are talking to the "
                      "digicheque bot again.",
    "reminder.day_before": "Reminder: tomorrow, {start_day}, from {start_time} to {end_time}, "
                           "the digital coach visits you: {street}, {postcode}. Will you be "
                           "there?",
    "reminder.soon": "Reminder: today, {start_day}, from {start_time} to {end_time}, the "
                     "digital coach visits you: {street}, {postcode}. Will you be there?",
    "reminder.day_before.late": "Reminder: tomorrow, {start_day}, from {start_time} to "
                                "{end_time}, the digital coach visits you: {street}, "
                                "{postcode}. Can't make it? Call the city: {phone}.",
    "reminder.soon.late": "Reminder: today, {start_day}, from {start_time} to {end_time}, "
                          "the digital coach visits you: {street}, {postcode}. Can't make "
                          "it? Call the city: {phone}.",
    "option.be_there": "I'll be there",
    "option.move_visit": "Move it",
    "option.call_off": "Call it off",
    "reminder.thanks": "Thank you! The coach comes on {start_day} at {start_time}. See you "
                       "then!",
    "reminder.cannot": "You cannot be there? Then you can move the visit or call it off.",
    "followup.ask": "Did the coach visit you on {start_day}? Your answer helps us.",
    "option.coach_came": "Yes",
    "option.coach_not_came": "No",
    "followup.thanks": "Good, thank you! We hope the coach's help was useful.",
    "followup.sorry": "Sorry the coach did not come. Your digicheque is valid again for a "
                      "visit.",
    "followup.new_time": "Would you like a new time?",
    "option.new_time": "Yes",
    "option.no_new_time": "No",
    "followup.later": "All right. Want a visit later after all? Then send the code of your "
                      "digicheque.",
    "option.own_number": "This number",
    "option.slot": "{start_short} {start_time}-{end_time}",
    "option.other_day": "Another day",
    "option.menu": "Menu",
    "option.yes_book": "Yes, book it",
    "option.yes_move": "Yes, move it",
    "option.other_time": "Another time",
    "option.change_details": "Change address, number or help",
    "option.see": "See my visit",
    "option.move": "Move it",
    "option.cancel": "Call it off",
    "option.person": "Talk to a person",
    "option.yes_cancel": "Yes, call it off",
    "option.no_keep": "No, keep it",
    "option.yes_stop": "Yes, stop",
    "option.no_go_on": "No, go on",
    "option.go_on": "Go on",
    "option.start_again": "Start again",
    "faq.cost": "The visit is free: the city's digicheque pays for it.",
    "faq.why": "The coach comes to your home and calls you if needed: that is why we ask your "
               "address and number. We use them only for your visit and delete them "
               "afterwards.",
    "faq.who": "A digital coach from a partner of the city comes to you. The coach shows a city "
               "badge and never asks for your PIN or passwords.",
    "faq.company": "Yes, someone may be there with you, e.g. your daughter, son or a neighbour.",
    "faq.prepare": "Have your device and its charger ready, and your identity card for itsme. You"
                   " type your PIN and passwords yourself: the coach never asks for them.",
    "faq.safe": "Yes, the digicheque comes from the city. The coach never asks for money, your "
                "PIN or passwords. In doubt? Call the city: {phone}.",
    "faq.new_address": "Have you moved? Call the city: {phone}. We will adapt your visit.",
    "thanks": "You are welcome! The coach comes on {start_day} at {start_time}. See you then! To "
              "change something, send MENU.",
    "thanks.asked": "You are welcome!",
    "thanks.no_visit": "You are welcome, glad we could help! Another digicheque? Send its code.",
    "menu.ok": "Fine! Your visit stays on {start_day} at {start_time}. To change something, send "
               "MENU.",
    # Several visits (a two-visit cheque, or a second code on the same phone).
    "menu.several": "You have {count} visits: {visits}. What do you want to do?",
    "menu.ok.several": "Fine! Your visits stay: {visits}. To change something, send MENU.",
    "thanks.several": "You are welcome! The coach comes: {visits}. See you then! To change "
                      "something, send MENU.",
    "which.move": "Which visit do you want to move?",
    "which.cancel": "Which visit do you want to call off?",
    "option.visit": "{start_short} {start_time}",
    "option.another_visit": "Book another visit",
    "cancelled.one": "Your visit on {start_day} at {start_time} is called off. Your other "
                     "visit stays planned.",
    "booked.another": "Your digicheque is good for one more visit: send MENU to book it.",
    "code.ask_another": "Send the code of your other digicheque. It is on the letter, e.g. ABCD-"
                        "EFGH-K.",
    "phone.change_ask": "What is your new number? E.g. 0470 12 34 56",
    "phone.change_confirm": "May the coach call you on {number} from now on?",
    "phone.changed": "Fine, the coach will call you on {number}.",
    "phone.kept": "Fine, your number stays the same.",
    "option.yes_number": "Yes, this number",
    "option.no_change": "No, keep it",
    "stop.done_visit": "You will get no more messages, no reminders either. Your visit on "
                       "{start_day} at {start_time} still stands. To get messages again, send "
                       "START.",
    "stopped.visit": "Your visit on {start_day} at {start_time} still stands. You get no messages"
                     " from us. To change it, send START, then MENU.",
    # Several visits: every one still to come is said (issue 9).
    "stop.done_visit.several": "You will get no more messages, no reminders either. Your "
                               "visits still stand: {visits}. To get messages again, send "
                               "START.",
    "stopped.visit.several": "Your visits still stand: {visits}. You get no messages from us."
                             " To change them, send START, then MENU.",
    "visits": "Your {count} visits, {street}:\n{lines}",
    "visits.apart": "Your {count} visits:\n{lines}",
    "visit.line": "{start_short} {start_time}-{end_time}: {topic}",
    "visit.line_at": "{start_short} {start_time}-{end_time}, {street}",
    "menu.what": "What do you want to do?",
    "code.visit_left": "Your digicheque is still good for a visit: book it below. Another "
                       "letter? Then send its code.",
    # Telegram: a button shares the number of the resident's account.
    "option.share_number": "Share my number",
    "phone.ask.buttons": "Which number can the coach call? Tap 'Share my number', or type it, "
                         "e.g. 0470 12 34 56",
    "phone.change_ask.buttons": "What is your new number? Tap 'Share my number', or type it, "
                                "e.g. 0470 12 34 56",
    "code.help": "The code is on the letter from the city: 9 letters and digits, like ABCD-"
                 "EFGH-K. Type it, with or without dashes. Cannot do it? Call the city: {phone}.",
    "code.photo": "I cannot read photos yet. The code is on the letter: 9 letters and digits, "
                  "like ABCD-EFGH-K. Type it, or call the city: {phone}.",
    "details.ask": "What do you want to change?",
    "option.address": "Address",
    "option.phone": "Phone number",
    "option.topic": "The help you want",
    "where.change_details": "your details",
    "time.offer.buttons": "When can the coach come? Tap a time, or write a day, e.g. tuesday "
                          "afternoon.",
    "time.offer_later.buttons": "These are later times. Tap a time, or write a day.",
    "topic.invalid.buttons": "I do not understand. Tap a button below.",
    "confirm.not_understood.buttons": "Tap a button below.",
    "menu.not_understood.buttons": "I do not understand. Tap a button below, or write what you "
                                   "want, e.g. move.",
    "time.offer_fit": "These times are free:",
    "time.too_soon": "That is too soon: we plan a visit at least {hours} hours ahead. "
                     "The earliest we can do:",
    "time.beyond": "We book visits up to {weeks} weeks ahead. For that day, write to us "
                   "again from {again_day}. The nearest we can do now:",
    "faq.duration": "A visit takes about {minutes} minutes.",
    # Staff changed a visit (conversations/notices.py).
    "notice.menu": "What do you want to do?",
    "notice.changed": "Something changed about your visit. Questions? Call the city: "
                      "{phone}.",
    "notice.moved": "Please note: the city moved your visit. The coach now comes on "
                    "{start_day} at {start_time}.",
    "notice.reassigned": "Your visit on {start_day} at {start_time} goes ahead, with another "
                         "coach.",
    "notice.cancelled": "Sorry, your visit on {start_day} at {start_time} cannot go ahead. "
                        "Questions? Call the city: {phone}.",
    "notice.cancelled.offer": "Sorry, your visit on {start_day} at {start_time} cannot go "
                              "ahead. Your digicheque is valid again. Choose a new time:",
    "notice.cancelled.none": "Sorry, your visit on {start_day} at {start_time} cannot go "
                             "ahead. Your digicheque is valid again, but no time is free now. "
                             "Write to us later, or call the city: {phone}.",
    "notice.no_show_coach": "Sorry, the coach could not come on {start_day} at {start_time}. "
                            "Questions? Call the city: {phone}.",
    "notice.no_show_coach.offer": "Sorry, the coach could not come on {start_day} at "
                                  "{start_time}. Your digicheque is valid again. Choose a new "
                                  "time:",
    "notice.no_show_coach.none": "Sorry, the coach could not come on {start_day} at "
                                 "{start_time}. Your digicheque is valid again, but no time "
                                 "is free now. Write to us later, or call the city: {phone}.",
    "notice.no_show_resident": "The coach did not find you at home on {start_day} at "
                               "{start_time}. Questions? Call the city: {phone}.",
    "notice.no_show_resident.offer": "The coach did not find you at home on {start_day} at "
                                     "{start_time}. You may use your digicheque once more. "
                                     "Choose a new time:",
    "notice.no_show_resident.none": "The coach did not find you at home on {start_day} at "
                                    "{start_time}. You may use your digicheque once more, "
                                    "but no time is free now. Write to us later, or call the "
                                    "city: {phone}.",
    "notice.closed": "Sorry, the coach cannot come on {start_day} at {start_time}. Choose "
                     "another time for your visit:",
    "notice.closed.none": "Sorry, the coach cannot come on {start_day} at {start_time}, and "
                          "no other time is free now. Write to us later, or call the city: "
                          "{phone}.",
}
