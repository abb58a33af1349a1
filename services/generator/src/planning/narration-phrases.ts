import { primaryLanguage } from '@reelay/replicate-models';

/**
 * The deterministic planner's spoken and captioned lines, per language. A small hand-written table
 * (en, vi, ru, ja, zh), not a translator: the deterministic planner is the fallback when the planning
 * model is absent or answers badly, and it must still narrate in the job's language rather than in
 * English over a Vietnamese voice. A language without a table gets the English lines (recorded in
 * services/generator/README.md). The subject is the user's own words, in whatever language they
 * wrote it; scene prompts (for video and music models) stay English.
 */
export interface NarrationPhrases {
  promptLines: readonly string[];
  finalImage: string;
  meet(subject: string): string;
  adLines: readonly string[];
  getYours(subject: string): string;
  begins(subject: string): string;
  storyLines: readonly string[];
  ends: string;
  part(n: number): string;
  hereItIs: string;
  thisStory: string;
  /** Ends a line with the language's full stop when it has none. */
  sentence(text: string): string;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const latinSentence = (s: string) => (/[.!?…]$/.test(s) ? s : `${s}.`);
const cjkSentence = (s: string) => (/[。！？.!?]$/.test(s) ? s : `${s}。`);

const en: NarrationPhrases = {
  promptLines: [
    'Take a closer look.',
    'Every detail in motion.',
    'Seen from another angle.',
    'Then, the turning point.',
    'A sweeping view.',
    'A quiet moment.',
  ],
  finalImage: 'And the final image.',
  meet: (s) => `Meet ${s}.`,
  adLines: [
    'Made for every day, wherever you go.',
    'Every detail designed to last.',
    'Good for you, and better for the planet.',
    'Ready when you are.',
    'Small choice, big difference.',
  ],
  getYours: (s) => `${capitalize(s)}. Get yours today.`,
  begins: (s) => latinSentence(`It begins with ${s}`),
  storyLines: ['And then, the story went on.', 'Something changed.', 'Look closer.', 'Time moved on.'],
  ends: 'And that is how it ends.',
  part: (n) => `Part ${n}.`,
  hereItIs: 'Here it is',
  thisStory: 'this story',
  sentence: latinSentence,
};

const vi: NarrationPhrases = {
  promptLines: [
    'Hãy nhìn kỹ hơn.',
    'Từng chi tiết chuyển động.',
    'Nhìn từ một góc khác.',
    'Rồi, bước ngoặt xuất hiện.',
    'Một khung cảnh bao quát.',
    'Một khoảnh khắc tĩnh lặng.',
  ],
  finalImage: 'Và hình ảnh cuối cùng.',
  meet: (s) => `Xin giới thiệu ${s}.`,
  adLines: [
    'Dành cho mỗi ngày, dù bạn ở đâu.',
    'Từng chi tiết được làm để bền lâu.',
    'Tốt cho bạn, và tốt hơn cho hành tinh.',
    'Luôn sẵn sàng khi bạn cần.',
    'Lựa chọn nhỏ, khác biệt lớn.',
  ],
  getYours: (s) => `${capitalize(s)}. Hãy sở hữu ngay hôm nay.`,
  begins: (s) => latinSentence(`Câu chuyện bắt đầu với ${s}`),
  storyLines: [
    'Và rồi, câu chuyện tiếp tục.',
    'Có điều gì đó đã thay đổi.',
    'Hãy nhìn kỹ hơn.',
    'Thời gian trôi qua.',
  ],
  ends: 'Và câu chuyện kết thúc như thế.',
  part: (n) => `Phần ${n}.`,
  hereItIs: 'Đây rồi',
  thisStory: 'câu chuyện này',
  sentence: latinSentence,
};

const ru: NarrationPhrases = {
  promptLines: [
    'Посмотрите ближе.',
    'Каждая деталь в движении.',
    'С другой стороны.',
    'И вот поворотный момент.',
    'Широкий вид.',
    'Тихий момент.',
  ],
  finalImage: 'И последний кадр.',
  meet: (s) => `Знакомьтесь: ${s}.`,
  adLines: [
    'Для каждого дня, где бы вы ни были.',
    'Каждая деталь сделана на века.',
    'Хорошо для вас и лучше для планеты.',
    'Всегда готово, когда готовы вы.',
    'Маленький выбор, большая разница.',
  ],
  getYours: (s) => `${capitalize(s)}. Ваш уже сегодня.`,
  begins: (s) => latinSentence(`Всё начинается так: ${s}`),
  storyLines: ['И история продолжилась.', 'Что-то изменилось.', 'Посмотрите ближе.', 'Время шло.'],
  ends: 'Вот так всё и закончилось.',
  part: (n) => `Часть ${n}.`,
  hereItIs: 'Вот оно',
  thisStory: 'эта история',
  sentence: latinSentence,
};

const ja: NarrationPhrases = {
  promptLines: [
    'もっと近くで見てみましょう。',
    'すべての細部が動き出す。',
    '別の角度から。',
    'そして、転機が訪れる。',
    '広がる景色。',
    '静かなひととき。',
  ],
  finalImage: 'そして、最後の一枚。',
  meet: (s) => `${s}をご紹介します。`,
  adLines: [
    '毎日の暮らしに、どこへでも。',
    '細部まで、長く使えるように。',
    'あなたにも、地球にもやさしい。',
    'いつでも準備はできています。',
    '小さな選択が、大きな違いに。',
  ],
  getYours: (s) => `${s}。今日から、あなたのものに。`,
  begins: (s) => `物語は${s}から始まります。`,
  storyLines: ['そして、物語は続いた。', '何かが変わった。', 'もっと近くで見てみよう。', '時は流れた。'],
  ends: 'こうして物語は終わります。',
  part: (n) => `パート${n}。`,
  hereItIs: 'さあ、どうぞ',
  thisStory: 'この物語',
  sentence: cjkSentence,
};

const zh: NarrationPhrases = {
  promptLines: [
    '走近一点看。',
    '每个细节都在流动。',
    '换个角度看。',
    '然后，转折出现了。',
    '一片壮阔的景象。',
    '宁静的一刻。',
  ],
  finalImage: '还有最后一幕。',
  meet: (s) => `认识一下${s}。`,
  adLines: [
    '为每一天而生，随你而行。',
    '每个细节都经久耐用。',
    '对你好，对地球更好。',
    '随时为你准备。',
    '小小选择，大大不同。',
  ],
  getYours: (s) => `${s}。今天就带回家。`,
  begins: (s) => `故事从${s}开始。`,
  storyLines: ['然后，故事继续。', '有些东西变了。', '仔细看。', '时光流逝。'],
  ends: '故事就这样结束了。',
  part: (n) => `第${n}部分。`,
  hereItIs: '就是这里',
  thisStory: '这个故事',
  sentence: cjkSentence,
};

const BY_LANGUAGE: Readonly<Record<string, NarrationPhrases>> = { en, vi, ru, ja, zh };

/** The languages the deterministic planner writes in; others get English. */
export const PHRASE_LANGUAGES = Object.keys(BY_LANGUAGE);

export function phrasesFor(language: string): NarrationPhrases {
  return BY_LANGUAGE[primaryLanguage(language)] ?? en;
}
