"""Fixed vocabularies the corpus builder always includes, and the words it never uses.

Each vocabulary maps a kind to WordNet lemmas, plus the lexicographer files a fitting sense
must come from and a few context words for Lesk, so that e.g. "back" is the body part and
"court" the playing area. Edit these lists to change the default corpus; rebuild it with
``alt corpus build`` (see assets/README.md).
"""

from __future__ import annotations

BODY_PARTS = (
    "head face forehead eye eyebrow eyelid eyelash nose nostril mouth lip tongue tooth ear cheek "
    "chin jaw hair beard mustache neck throat shoulder armpit arm elbow forearm wrist hand palm finger thumb "
    "knuckle fingernail chest breast back torso belly abdomen waist hip buttocks leg thigh knee "
    "shin calf ankle foot heel sole toe toenail skin body"
).split()

SCENES = (
    "room kitchen bathroom bedroom living_room hallway staircase garage workshop office "
    "classroom gym studio stage restaurant bar shop supermarket church hospital street road "
    "sidewalk crosswalk parking_lot city park garden lawn backyard playground yard farm barn "
    "field meadow forest jungle mountain hill cliff cave desert beach sea ocean lake river "
    "waterfall pond swimming_pool stadium arena tennis_court basketball_court boxing_ring "
    "ice_rink ski_slope racetrack golf_course snow ice sky cloud rain water wave sand grass "
    "dirt mud rock tree wall floor ceiling window door table bed sofa"
).split()

MOTIONS = (
    "walk run jog sprint jump hop leap skip sit stand kneel crouch squat lie bend lean stretch "
    "twist turn rotate spin roll flip tumble fall slide slip crawl climb swim dive float fly "
    "ride drive push pull lift raise lower carry hold grab grip catch throw toss kick hit strike "
    "punch slap tap pat touch rub scrub wipe press squeeze pinch pick drop pour cut chop open "
    "close shake wave nod clap point reach swing bounce balance step stamp dance"
).split()

ROLES = (
    "person man woman child baby boy girl adult player athlete dancer singer musician drummer "
    "guitarist pianist performer audience spectator referee coach instructor teacher student "
    "chef cook worker driver rider cyclist runner swimmer diver climber skier surfer skater "
    "gymnast boxer wrestler juggler team opponent partner customer crowd"
).split()

ATTRIBUTES = (
    "red orange yellow green blue purple pink brown black white grey colorful striped round "
    "square flat tall short long small large big thick thin wet dry shiny dark bright wooden "
    "metallic plastic soft hard heavy empty full open closed fast slow upright horizontal "
    "vertical crowded outdoor indoor"
).split()

OBJECTS = (
    "ball racket bat club stick pole rope net goal hoop basket helmet glove mask goggles "
    "glasses hat cap shirt jacket dress skirt pants shorts shoe boot sock scarf towel bag "
    "backpack box bottle can cup mug glass plate bowl pan pot knife fork spoon tray "
    "jar lid bucket brush comb mirror razor scissors toothbrush soap sponge phone camera "
    "microphone laptop computer screen keyboard remote book newspaper paper pen pencil "
    "notebook card coin money chair stool bench desk shelf cabinet lamp candle clock pillow "
    "blanket carpet curtain ladder hammer saw drill screwdriver wrench shovel rake axe hose "
    "wheel tire bicycle motorcycle car truck bus boat kayak canoe surfboard skateboard ski "
    "sled horse dog cat bird fish cow sheep goat chicken egg bread cake pizza fruit apple "
    "vegetable meat food drink beer wine water_bottle flower plant leaf toy doll balloon kite "
    "flag sign trophy instrument guitar piano drum violin flute trumpet fire smoke"
).split()

#: Per kind: the lexicographer files a sense may come from (first match wins) and Lesk context.
VOCAB = {
    "object": (OBJECTS, ("noun.artifact", "noun.animal", "noun.food", "noun.plant", "noun.object",
                         "noun.substance", "noun.phenomenon", "noun.possession"),
               "object thing held used worn seen"),
    "body_part": (BODY_PARTS, ("noun.body",), "human body part limb of a person"),
    "scene": (SCENES, ("noun.location", "noun.artifact", "noun.object", "noun.phenomenon",
                       "noun.substance", "noun.group"),
              "place area location setting outdoors indoors building ground where people are"),
    "motion": (MOTIONS, ("verb.motion", "verb.contact", "verb.body", "verb.change"),
               "move body hand foot arm leg movement position"),
    "role": (ROLES, ("noun.person", "noun.group", "noun.Tops"), "person who takes part in an activity or sport"),
    "attribute": (ATTRIBUTES, ("adj.all", "adj.ppl"), "colour shape size appearance surface look"),
}

#: Noun lexicographer file -> entity kind; senses from files not listed here are dropped as
#: not visual (feelings, times, quantities, relations, motives, cognition).
LEXNAME_KIND = {
    "noun.body": "body_part",
    "noun.artifact": "object",
    "noun.animal": "object",
    "noun.food": "object",
    "noun.plant": "object",
    "noun.object": "object",
    "noun.substance": "object",
    "noun.possession": "object",
    "noun.location": "scene",
    "noun.phenomenon": "scene",
    "noun.person": "role",
    "noun.group": "role",
    "noun.act": "motion",
    "noun.event": "motion",
    "noun.attribute": "attribute",
    "noun.shape": "attribute",
    "noun.state": "attribute",
    "noun.communication": "attribute",
}
#: Senses in these files get a small bonus in disambiguation: ALT aligns image regions, so a
#: visible sense ("basketball": the ball) is preferred over an abstract one (the game) when the
#: label context does not decide. People are left out on purpose: label nouns are rarely
#: people, and a person bonus turns "gun" into a gunman and "controller" into an accountant.
VISUAL_LEXNAMES = frozenset({
    "noun.body", "noun.artifact", "noun.animal", "noun.food", "noun.plant", "noun.object",
    "noun.substance", "noun.location",
})

#: Function words and generic words that never become entities.
STOP_WORDS = frozenset((
    "a an the of in on at to into onto from for by with without or and not no but up down out off "
    "over under through than then so it its is are be being been as your my his her their this "
    "that these those one two some something somewhere someone thing things other each "
    "while using use style type kind way part lot"
).split())
#: Light verbs that are not motions on their own ("doing nails", "getting a haircut").
LIGHT_VERBS = frozenset("be have do get give go make take use let".split())
#: Plural lemmas kept as they are when they have a sense of their own ("glasses" are spectacles).
#: Any other plural becomes its singular ("hands" -> "hand").
KEEP_PLURAL_LEXNAMES = frozenset({"noun.artifact"})
#: Meronyms with these words are inside the body or otherwise invisible and are skipped.
INVISIBLE_WORDS = frozenset((
    "artery arteries vein nerve muscle bone ligament tendon gland duct lobe cartilage membrane "
    "node sinus cell tissue vessel cavity canal marrow fascia plexus"
).split())
