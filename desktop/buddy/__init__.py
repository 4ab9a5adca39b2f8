"""The companion pet on the desktop (Qt). Its logic lives in ``agent.buddy``.

window      BuddyWindow: the frameless always-on-top pet the tray shows and feeds
painter     paint_pet / render_pet: a whole pet from its parts
pose        how it holds itself per state and moment (no Qt)
species/    one drawing per species (birds, beasts, oddities, things)
features    eyes, mouths, blush and hats shared by all
effects     shadow, state props, shiny glints, petting hearts
palette     species colours, shiny variants, rarity accents
bubble      the fading speech bubble that keeps off dialogs
card        the card: name, species, rarity stars, stats
placement   the remembered spot per screen (buddy.json, no Qt)
"""
