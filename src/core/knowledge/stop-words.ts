/**
 * Words too common to tell articles apart, in English and Indonesian. Both lists apply to every
 * text: customers mix the two languages, and a word of one is never a useful term of the other.
 */
const ENGLISH = `a about above after again all also am an and any are as at be because been before being below
between both but by can cannot could did do does doing down during each few for from further get got had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
once only or other our ours out over own please same she should so some such than thank thanks that the their
theirs them then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours hello hi dear regards`;

const INDONESIAN = `ada adalah agar akan aku anda apa apakah atau bagaimana bahwa banyak bapak belum bisa boleh
buat dalam dan dapat dari demikian dengan di dia ibu ini itu jadi jika juga kalau kami kamu karena ke kenapa
kepada ketika kita lagi lain mana masih mau maupun mereka mohon namun oleh pada para saat saja saya sedang sejak
sekali selalu seperti sudah supaya tapi tetapi tidak telah terima kasih tersebut untuk yang ya halo salam selamat
pagi siang sore malam tolong sih dong nya`;

export const STOP_WORDS: ReadonlySet<string> = new Set(`${ENGLISH} ${INDONESIAN}`.split(/\s+/).filter(Boolean));
